/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-drug-kb"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "ch-drug-kb.h"
#include "ch-refdata-resources.h"
#include "ch-store.h"

/* A base is parsed whole into arrays that live as long as the base. Every
 * drug carries the closure of its classes as a bitmap, the interactions it
 * takes part in (whatever side, by drug or by class) and the allergy groups
 * it belongs to, so that checking a pair walks one short list. */

#define RESOURCE_PREFIX "/org/charta/Charta/data/drugs/"
#define MAX_PROBLEMS 40

G_DEFINE_QUARK (ch-drug-kb-error-quark, ch_drug_kb_error)

const char * const ch_drug_kb_file_names[] = {
  "info.tsv", "classes.tsv", "drugs.tsv", "products.tsv", "doses.tsv", "interactions.tsv",
  "allergy-groups.tsv", "allergy-cross.tsv", "duplicates.tsv", NULL,
};

static const char * const routes[] = {
  "oral", "sublingual", "buccal", "topical", "transdermal", "inhalation", "nasal",
  "ophthalmic", "otic", "rectal", "vaginal", "subcutaneous", "intramuscular", "intravenous",
  NULL,
};

typedef struct
{
  char   *code;
  char   *name;
  GArray *parents;   /* of guint */
} Class;

typedef struct
{
  guint interaction;
  guint side;        /* which party of the interaction the drug matches */
} Ref;

typedef struct
{
  ChKbDrug   pub;
  guint      index;     /* in kb->drugs */
  GPtrArray *brands;    /* NULL-terminated */
  GPtrArray *classes;   /* NULL-terminated */
  GArray    *products;  /* of ChKbProduct */
  GArray    *doses;     /* of ChKbDose */
  guint8    *in_class;  /* bitmap over kb->classes, closed over parents */
  GArray    *refs;      /* of Ref */
  GArray    *groups;    /* of guint: allergy groups */
} Drug;

typedef struct
{
  gboolean is_class;
  guint    index;
} Party;

typedef struct
{
  char           *id;
  Party           party[2];
  ChDrugSeverity  severity;
  char           *effect;
  char           *mechanism;
  char           *management;
  char           *source;
} Interaction;

typedef struct
{
  char *id;
  char *name;
  char *note;
  char *source;
} Group;

typedef struct
{
  guint           group;
  guint           related;
  ChDrugSeverity  severity;
  char           *note;
  char           *source;
} Cross;

typedef struct
{
  guint           klass;
  ChDrugSeverity  severity;
  char           *note;
} Duplicate;

typedef struct
{
  char *key;     /* folded */
  Drug *drug;
  char *name;    /* as written */
} Name;

typedef struct
{
  gboolean is_group;
  guint    index;     /* group index, or drug index */
} Target;

struct _ChDrugKb
{
  gatomicrefcount  ref_count;
  GStringChunk    *strings;
  GHashTable      *info;          /* key → value */
  GArray          *classes;       /* of Class */
  GHashTable      *class_index;   /* code → index + 1 */
  GPtrArray       *drugs;         /* of Drug* */
  GHashTable      *drug_index;    /* id → Drug* */
  GArray          *names;         /* of Name, sorted by key */
  GHashTable      *name_index;    /* folded generic or brand → Drug* */
  GArray          *interactions;  /* of Interaction */
  GArray          *groups;        /* of Group */
  GHashTable      *group_index;   /* id → index + 1 */
  GArray          *cross;         /* of Cross */
  GArray          *duplicates;    /* of Duplicate */
  GHashTable      *allergy_terms; /* words key → GArray of Target */
};

/* Parsing *************************************************************/

typedef struct
{
  GPtrArray *lines;
  guint      count;
} Problems;

typedef struct
{
  guint   line;
  char  **fields;
} Row;

static void
row_free (Row *row)
{
  g_strfreev (row->fields);
  g_free (row);
}

G_GNUC_PRINTF (4, 5) static void
problem (Problems   *problems,
         const char *file,
         guint       line,
         const char *format,
         ...)
{
  va_list args;
  g_autofree char *message = NULL;

  problems->count++;
  if (problems->lines->len >= MAX_PROBLEMS)
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (line > 0)
    g_ptr_array_add (problems->lines, g_strdup_printf ("%s:%u: %s", file, line, message));
  else
    g_ptr_array_add (problems->lines, g_strdup_printf ("%s: %s", file, message));
}

static gboolean
is_identifier (const char *text,
               gboolean    lower_only)
{
  if (text[0] == '\0')
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '_'
          || (!lower_only && g_ascii_isupper (*p))))
      return FALSE;
  return TRUE;
}

/* Returns: (transfer full) (element-type Row): the data rows of @file, after
 * checking its encoding, line ends, header and field counts */
static GPtrArray *
read_table (GHashTable         *files,
            const char         *file,
            const char * const *header,
            Problems           *problems)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  GBytes *bytes = g_hash_table_lookup (files, file);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  guint n_columns = g_strv_length ((char **) header);
  gboolean seen_header = FALSE;
  gsize size;
  const char *data;

  if (bytes == NULL)
    {
      problem (problems, file, 0, _("the file is missing"));
      return rows;
    }

  data = g_bytes_get_data (bytes, &size);
  if (!g_utf8_validate_len (data, size, NULL))
    {
      problem (problems, file, 0, _("the file is not UTF-8 text"));
      return rows;
    }
  if (size >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      problem (problems, file, 1, _("the file starts with a byte order mark"));
      return rows;
    }
  if (size > 0 && data[size - 1] != '\n')
    problem (problems, file, 0, _("the last line does not end with a newline"));

  text = g_strndup (data, size);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      guint number = i + 1;
      g_auto (GStrv) fields = NULL;

      if (lines[i + 1] == NULL && line[0] == '\0')
        break;   /* after the final newline */
      if (strchr (line, '\r') != NULL)
        {
          problem (problems, file, number, _("carriage return in the line (use LF line ends)"));
          continue;
        }
      if (line[0] == '#')
        continue;
      if (line[0] == '\0')
        {
          problem (problems, file, number, _("empty line"));
          continue;
        }

      fields = g_strsplit (line, "\t", -1);
      if (!seen_header)
        {
          g_autofree char *expected = g_strjoinv ("\t", (char **) header);

          seen_header = TRUE;
          if (g_strcmp0 (line, expected) != 0)
            {
              g_autofree char *shown = g_strjoinv (" ", (char **) header);

              problem (problems, file, number, _("the header must be: %s"), shown);
              return rows;
            }
          continue;
        }
      if (g_strv_length (fields) != n_columns)
        {
          problem (problems, file, number, _("%u fields instead of %u"),
                   g_strv_length (fields), n_columns);
          continue;
        }
      for (guint f = 0; f < n_columns; f++)
        if (fields[f][0] != '\0'
            && (g_ascii_isspace (fields[f][0])
                || g_ascii_isspace (fields[f][strlen (fields[f]) - 1])))
          problem (problems, file, number, _("the field “%s” has leading or trailing blanks"),
                   header[f]);

      {
        Row *row = g_new0 (Row, 1);

        row->line = number;
        row->fields = g_steal_pointer (&fields);
        g_ptr_array_add (rows, row);
      }
    }

  if (!seen_header)
    problem (problems, file, 0, _("the file has no header line"));

  return rows;
}

/* A number, or NAN when @text is empty; FALSE when it is no number. */
static gboolean
parse_number (const char *text,
              double     *value)
{
  char *end = NULL;

  if (text[0] == '\0')
    {
      *value = NAN;
      return TRUE;
    }
  *value = g_ascii_strtod (text, &end);
  return end != NULL && *end == '\0' && isfinite (*value) && *value >= 0;
}

static char *
intern (ChDrugKb   *kb,
        const char *text)
{
  return g_string_chunk_insert_const (kb->strings, text);
}

/* The words of @text, folded, joined by one blank: "St. John's wort" →
 * "st john s wort". Used for names and allergy text alike. */
static char *
words_key (const char *text)
{
  g_autofree char *folded = ch_fold (text);
  GString *out = g_string_sized_new (strlen (folded));
  gboolean blank = FALSE;

  for (const char *p = folded; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isalnum (c))
        {
          blank = out->len > 0;
          continue;
        }
      if (blank)
        g_string_append_c (out, ' ');
      blank = FALSE;
      g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static Drug *
drug_at (ChDrugKb *kb,
         guint     index)
{
  return kb->drugs->pdata[index];
}

static guint
class_lookup (ChDrugKb   *kb,
              const char *code)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (kb->class_index, code));
}

static gboolean
parse_party (ChDrugKb   *kb,
             const char *text,
             Party      *party)
{
  if (g_str_has_prefix (text, "drug:"))
    {
      Drug *drug = g_hash_table_lookup (kb->drug_index, text + 5);

      if (drug == NULL)
        return FALSE;
      party->is_class = FALSE;
      party->index = drug->index;
      return TRUE;
    }
  if (g_str_has_prefix (text, "class:"))
    {
      guint index = class_lookup (kb, text + 6);

      if (index == 0)
        return FALSE;
      party->is_class = TRUE;
      party->index = index - 1;
      return TRUE;
    }
  return FALSE;
}

static void
add_term (ChDrugKb   *kb,
          const char *text,
          gboolean    is_group,
          guint       index)
{
  g_autofree char *key = words_key (text);
  GArray *targets;
  Target target = { is_group, index };

  if (key[0] == '\0')
    return;
  targets = g_hash_table_lookup (kb->allergy_terms, key);
  if (targets == NULL)
    {
      targets = g_array_new (FALSE, FALSE, sizeof (Target));
      g_hash_table_insert (kb->allergy_terms, g_steal_pointer (&key), targets);
    }
  for (guint i = 0; i < targets->len; i++)
    {
      Target *t = &g_array_index (targets, Target, i);

      if (t->is_group == is_group && t->index == index)
        return;
    }
  g_array_append_val (targets, target);
}

static void
drug_free (Drug *drug)
{
  g_ptr_array_unref (drug->brands);
  g_ptr_array_unref (drug->classes);
  g_array_unref (drug->products);
  g_array_unref (drug->doses);
  g_array_unref (drug->refs);
  g_array_unref (drug->groups);
  g_free (drug->in_class);
  g_free (drug);
}

static void
class_clear (Class *klass)
{
  g_clear_pointer (&klass->parents, g_array_unref);
}

static ChDrugKb *
kb_new (void)
{
  ChDrugKb *kb = g_new0 (ChDrugKb, 1);

  g_atomic_ref_count_init (&kb->ref_count);
  kb->strings = g_string_chunk_new (65536);
  kb->info = g_hash_table_new (g_str_hash, g_str_equal);
  kb->classes = g_array_new (FALSE, TRUE, sizeof (Class));
  g_array_set_clear_func (kb->classes, (GDestroyNotify) class_clear);
  kb->class_index = g_hash_table_new (g_str_hash, g_str_equal);
  kb->drugs = g_ptr_array_new_with_free_func ((GDestroyNotify) drug_free);
  kb->drug_index = g_hash_table_new (g_str_hash, g_str_equal);
  kb->names = g_array_new (FALSE, TRUE, sizeof (Name));
  kb->name_index = g_hash_table_new (g_str_hash, g_str_equal);
  kb->interactions = g_array_new (FALSE, TRUE, sizeof (Interaction));
  kb->groups = g_array_new (FALSE, TRUE, sizeof (Group));
  kb->group_index = g_hash_table_new (g_str_hash, g_str_equal);
  kb->cross = g_array_new (FALSE, TRUE, sizeof (Cross));
  kb->duplicates = g_array_new (FALSE, TRUE, sizeof (Duplicate));
  kb->allergy_terms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_array_unref);
  return kb;
}

ChDrugKb *
ch_drug_kb_ref (ChDrugKb *kb)
{
  g_return_val_if_fail (kb != NULL, NULL);

  g_atomic_ref_count_inc (&kb->ref_count);
  return kb;
}

void
ch_drug_kb_unref (ChDrugKb *kb)
{
  g_return_if_fail (kb != NULL);

  if (!g_atomic_ref_count_dec (&kb->ref_count))
    return;

  g_hash_table_unref (kb->allergy_terms);
  g_array_unref (kb->duplicates);
  g_array_unref (kb->cross);
  g_hash_table_unref (kb->group_index);
  g_array_unref (kb->groups);
  g_array_unref (kb->interactions);
  g_hash_table_unref (kb->name_index);
  g_array_unref (kb->names);
  g_hash_table_unref (kb->drug_index);
  g_ptr_array_unref (kb->drugs);
  g_hash_table_unref (kb->class_index);
  g_array_unref (kb->classes);
  g_hash_table_unref (kb->info);
  g_string_chunk_free (kb->strings);
  g_free (kb);
}

static gboolean
parse_severity (const char     *text,
                ChDrugSeverity *severity)
{
  return ch_drug_severity_from_string (text, severity) && *severity != CH_DRUG_SEVERITY_NOTICE;
}

static void
load_info (ChDrugKb   *kb,
           GHashTable *files,
           Problems   *problems)
{
  static const char * const header[] = { "key", "value", NULL };
  static const char * const keys[] = {
    "name", "version", "publisher", "date", "license", "description", NULL,
  };
  g_autoptr (GPtrArray) rows = read_table (files, "info.tsv", header, problems);

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = rows->pdata[i];

      if (!g_strv_contains (keys, row->fields[0]))
        problem (problems, "info.tsv", row->line, _("unknown key “%s”"), row->fields[0]);
      else if (g_hash_table_contains (kb->info, row->fields[0]))
        problem (problems, "info.tsv", row->line, _("“%s” is given twice"), row->fields[0]);
      else
        g_hash_table_insert (kb->info, intern (kb, row->fields[0]), intern (kb, row->fields[1]));
    }
  for (guint i = 0; i < 2; i++)
    {
      const char *value = g_hash_table_lookup (kb->info, keys[i]);

      if (value == NULL || value[0] == '\0')
        problem (problems, "info.tsv", 0, _("the base's %s is missing"), keys[i]);
    }
}

static gboolean
class_cycle (ChDrugKb *kb,
             guint     index,
             guint8   *state)
{
  Class *klass = &g_array_index (kb->classes, Class, index);

  if (state[index] == 1)
    return TRUE;
  if (state[index] == 2)
    return FALSE;
  state[index] = 1;
  for (guint i = 0; i < klass->parents->len; i++)
    if (class_cycle (kb, g_array_index (klass->parents, guint, i), state))
      return TRUE;
  state[index] = 2;
  return FALSE;
}

static void
load_classes (ChDrugKb   *kb,
              GHashTable *files,
              Problems   *problems)
{
  static const char * const header[] = { "class", "name", "kind", "parents", NULL };
  g_autoptr (GPtrArray) rows = read_table (files, "classes.tsv", header, problems);
  g_autofree guint8 *state = NULL;

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = rows->pdata[i];
      Class klass = { 0 };

      if (!is_identifier (row->fields[0], FALSE))
        {
          problem (problems, "classes.tsv", row->line, _("“%s” is not a valid class code"),
                   row->fields[0]);
          continue;
        }
      if (class_lookup (kb, row->fields[0]) != 0)
        {
          problem (problems, "classes.tsv", row->line, _("the class %s is listed twice"),
                   row->fields[0]);
          continue;
        }
      if (row->fields[1][0] == '\0')
        problem (problems, "classes.tsv", row->line, _("the class %s has no name"), row->fields[0]);
      if (!g_str_equal (row->fields[2], "therapeutic") && !g_str_equal (row->fields[2], "property"))
        problem (problems, "classes.tsv", row->line,
                 _("the kind must be “therapeutic” or “property”, not “%s”"), row->fields[2]);

      klass.code = intern (kb, row->fields[0]);
      klass.name = intern (kb, row->fields[1]);
      klass.parents = g_array_new (FALSE, FALSE, sizeof (guint));
      g_array_append_val (kb->classes, klass);
      g_hash_table_insert (kb->class_index, klass.code, GUINT_TO_POINTER (kb->classes->len));
    }

  /* Parents may be listed after their children. */
  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = rows->pdata[i];
      guint index = class_lookup (kb, row->fields[0]);
      g_auto (GStrv) parents = NULL;

      if (index == 0 || row->fields[3][0] == '\0')
        continue;
      parents = g_strsplit (row->fields[3], ",", -1);
      for (guint p = 0; parents[p]; p++)
        {
          guint parent = class_lookup (kb, parents[p]);

          if (parent == 0)
            problem (problems, "classes.tsv", row->line, _("unknown parent class “%s”"), parents[p]);
          else
            {
              Class *klass = &g_array_index (kb->classes, Class, index - 1);

              parent--;
              g_array_append_val (klass->parents, parent);
            }
        }
    }

  state = g_new0 (guint8, kb->classes->len + 1);
  for (guint i = 0; i < kb->classes->len; i++)
    if (class_cycle (kb, i, state))
      {
        problem (problems, "classes.tsv", 0, _("the parents of class %s form a cycle"),
                 g_array_index (kb->classes, Class, i).code);
        break;
      }
}

static void
mark_class (ChDrugKb *kb,
            guint8   *bits,
            guint     index)
{
  Class *klass = &g_array_index (kb->classes, Class, index);

  if (bits[index / 8] & (1u << (index % 8)))
    return;
  bits[index / 8] |= 1u << (index % 8);
  for (guint i = 0; i < klass->parents->len; i++)
    mark_class (kb, bits, g_array_index (klass->parents, guint, i));
}

static gboolean
drug_has_class (const Drug *drug,
                guint       index)
{
  return (drug->in_class[index / 8] & (1u << (index % 8))) != 0;
}

static void
load_drugs (ChDrugKb   *kb,
            GHashTable *files,
            gboolean    classes_ok,
            Problems   *problems)
{
  static const char * const header[] = { "drug", "generic_name", "brand_names", "classes", NULL };
  g_autoptr (GPtrArray) rows = read_table (files, "drugs.tsv", header, problems);

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = rows->pdata[i];
      Drug *drug;
      g_auto (GStrv) brands = NULL;
      g_auto (GStrv) classes = NULL;

      if (!is_identifier (row->fields[0], TRUE))
        {
          problem (problems, "drugs.tsv", row->line,
                   _("“%s” is not a valid drug id (a-z, 0-9 and _)"), row->fields[0]);
          continue;
        }
      if (g_hash_table_contains (kb->drug_index, row->fields[0]))
        {
          problem (problems, "drugs.tsv", row->line, _("the drug %s is listed twice"),
                   row->fields[0]);
          continue;
        }
      if (row->fields[1][0] == '\0')
        problem (problems, "drugs.tsv", row->line, _("the drug %s has no generic name"),
                 row->fields[0]);

      drug = g_new0 (Drug, 1);
      drug->pub.id = intern (kb, row->fields[0]);
      drug->pub.generic_name = intern (kb, row->fields[1]);
      drug->brands = g_ptr_array_new ();
      drug->classes = g_ptr_array_new ();
      drug->products = g_array_new (FALSE, TRUE, sizeof (ChKbProduct));
      drug->doses = g_array_new (FALSE, TRUE, sizeof (ChKbDose));
      drug->refs = g_array_new (FALSE, FALSE, sizeof (Ref));
      drug->groups = g_array_new (FALSE, FALSE, sizeof (guint));
      drug->in_class = g_new0 (guint8, kb->classes->len / 8 + 1);

      brands = row->fields[2][0] ? g_strsplit (row->fields[2], ",", -1) : g_new0 (char *, 1);
      for (guint b = 0; brands[b]; b++)
        if (brands[b][0] == '\0')
          problem (problems, "drugs.tsv", row->line, _("an empty brand name"));
        else
          g_ptr_array_add (drug->brands, intern (kb, brands[b]));
      g_ptr_array_add (drug->brands, NULL);

      classes = row->fields[3][0] ? g_strsplit (row->fields[3], ",", -1) : g_new0 (char *, 1);
      for (guint c = 0; classes[c]; c++)
        {
          guint index = class_lookup (kb, classes[c]);

          if (index == 0)
            {
              if (classes_ok)
                problem (problems, "drugs.tsv", row->line, _("unknown class “%s”"), classes[c]);
              continue;
            }
          g_ptr_array_add (drug->classes, intern (kb, classes[c]));
          mark_class (kb, drug->in_class, index - 1);
        }
      g_ptr_array_add (drug->classes, NULL);

      drug->index = kb->drugs->len;
      drug->pub.brand_names = (const char * const *) drug->brands->pdata;
      drug->pub.classes = (const char * const *) drug->classes->pdata;
      g_ptr_array_add (kb->drugs, drug);
      g_hash_table_insert (kb->drug_index, (char *) drug->pub.id, drug);
    }
}

static Drug *
row_drug (ChDrugKb   *kb,
          const char *file,
          Row        *row,
          Problems   *problems)
{
  Drug *drug = g_hash_table_lookup (kb->drug_index, row->fields[0]);

  if (drug == NULL)
    problem (problems, file, row->line, _("unknown drug “%s”"), row->fields[0]);
  return drug;
}

static void
load_products (ChDrugKb   *kb,
               GHashTable *files,
               Problems   *problems)
{
  static const char * const header[] = {
    "drug", "form", "strength", "route", "amount", "amount_unit", "per", "per_unit", NULL,
  };
  g_autoptr (GPtrArray) rows = read_table (files, "products.tsv", header, problems);

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = rows->pdata[i];
      char **f = row->fields;
      Drug *drug = row_drug (kb, "products.tsv", row, problems);
      ChKbProduct product = { 0 };

      if (drug == NULL)
        continue;
      if (f[1][0] == '\0' || f[2][0] == '\0' || f[5][0] == '\0' || f[7][0] == '\0')
        {
          problem (problems, "products.tsv", row->line,
                   _("form, strength and units must not be empty"));
          continue;
        }
      if (!g_strv_contains (routes, f[3]))
        {
          problem (problems, "products.tsv", row->line, _("unknown route “%s”"), f[3]);
          continue;
        }
      if (!parse_number (f[4], &product.amount) || !(product.amount > 0)
          || !parse_number (f[6], &product.per) || !(product.per > 0))
        {
          problem (problems, "products.tsv", row->line,
                   _("amount and per must be positive numbers"));
          continue;
        }
      product.form = intern (kb, f[1]);
      product.strength = intern (kb, f[2]);
      product.route = intern (kb, f[3]);
      product.amount_unit = intern (kb, f[5]);
      product.per_unit = intern (kb, f[7]);
      g_array_append_val (drug->products, product);
    }
}

static void
load_doses (ChDrugKb   *kb,
            GHashTable *files,
            Problems   *problems)
{
  static const char * const header[] = {
    "drug", "route", "unit", "min_dose", "max_dose", "max_daily", "source", NULL,
  };
  g_autoptr (GPtrArray) rows = read_table (files, "doses.tsv", header, problems);

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = rows->pdata[i];
      char **f = row->fields;
      Drug *drug = row_drug (kb, "doses.tsv", row, problems);
      ChKbDose dose = { 0 };

      if (drug == NULL)
        continue;
      if (!g_strv_contains (routes, f[1]))
        {
          problem (problems, "doses.tsv", row->line, _("unknown route “%s”"), f[1]);
          continue;
        }
      if (f[2][0] == '\0')
        {
          problem (problems, "doses.tsv", row->line, _("the unit is missing"));
          continue;
        }
      if (!parse_number (f[3], &dose.min_dose) || !parse_number (f[4], &dose.max_dose)
          || !parse_number (f[5], &dose.max_daily))
        {
          problem (problems, "doses.tsv", row->line, _("doses must be numbers or empty"));
          continue;
        }
      if ((!isnan (dose.min_dose) && !isnan (dose.max_dose) && dose.min_dose > dose.max_dose)
          || (!isnan (dose.max_dose) && !isnan (dose.max_daily) && dose.max_dose > dose.max_daily))
        {
          problem (problems, "doses.tsv", row->line,
                   _("the doses must satisfy min_dose ≤ max_dose ≤ max_daily"));
          continue;
        }
      dose.route = intern (kb, f[1]);
      dose.unit = intern (kb, f[2]);
      dose.source = intern (kb, f[6]);
      g_array_append_val (drug->doses, dose);
    }
}

static gboolean
party_matches (ChDrugKb    *kb,
               const Party *party,
               guint        drug_index)
{
  if (party->is_class)
    return drug_has_class (drug_at (kb, drug_index), party->index);
  return party->index == drug_index;
}

static void
load_interactions (ChDrugKb   *kb,
                   GHashTable *files,
                   Problems   *problems)
{
  static const char * const header[] = {
    "id", "a", "b", "severity", "effect", "mechanism", "management", "source", NULL,
  };
  g_autoptr (GPtrArray) rows = read_table (files, "interactions.tsv", header, problems);
  g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = rows->pdata[i];
      char **f = row->fields;
      Interaction interaction = { 0 };
      gboolean ok = TRUE;

      if (!is_identifier (f[0], FALSE) || g_hash_table_contains (ids, f[0]))
        {
          problem (problems, "interactions.tsv", row->line,
                   _("the id “%s” is not valid or not unique"), f[0]);
          continue;
        }
      g_hash_table_add (ids, f[0]);
      for (guint p = 0; p < 2; p++)
        if (!parse_party (kb, f[1 + p], &interaction.party[p]))
          {
            problem (problems, "interactions.tsv", row->line,
                     _("“%s” is no known drug:ID or class:CODE"), f[1 + p]);
            ok = FALSE;
          }
      if (!parse_severity (f[3], &interaction.severity))
        {
          problem (problems, "interactions.tsv", row->line, _("unknown severity “%s”"), f[3]);
          ok = FALSE;
        }
      if (f[4][0] == '\0' || f[6][0] == '\0' || f[7][0] == '\0')
        {
          problem (problems, "interactions.tsv", row->line,
                   _("effect, management and source must not be empty"));
          ok = FALSE;
        }
      if (!ok)
        continue;

      interaction.id = intern (kb, f[0]);
      interaction.effect = intern (kb, f[4]);
      interaction.mechanism = intern (kb, f[5]);
      interaction.management = intern (kb, f[6]);
      interaction.source = intern (kb, f[7]);
      g_array_append_val (kb->interactions, interaction);
    }

  /* Index each interaction under every drug that matches one of its sides. */
  for (guint d = 0; d < kb->drugs->len; d++)
    {
      Drug *drug = drug_at (kb, d);

      for (guint k = 0; k < kb->interactions->len; k++)
        {
          Interaction *interaction = &g_array_index (kb->interactions, Interaction, k);

          for (guint side = 0; side < 2; side++)
            if (party_matches (kb, &interaction->party[side], d))
              {
                Ref ref = { k, side };

                g_array_append_val (drug->refs, ref);
              }
        }
    }
}

static guint
group_lookup (ChDrugKb   *kb,
              const char *id)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (kb->group_index, id));
}

static void
load_allergy_groups (ChDrugKb   *kb,
                     GHashTable *files,
                     Problems   *problems)
{
  static const char * const header[] = {
    "group", "name", "members", "terms", "note", "source", NULL,
  };
  g_autoptr (GPtrArray) rows = read_table (files, "allergy-groups.tsv", header, problems);

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = rows->pdata[i];
      char **f = row->fields;
      Group group = { 0 };
      guint index;
      g_auto (GStrv) members = NULL;
      g_auto (GStrv) terms = NULL;

      if (!is_identifier (f[0], FALSE) || group_lookup (kb, f[0]) != 0)
        {
          problem (problems, "allergy-groups.tsv", row->line,
                   _("the group id “%s” is not valid or not unique"), f[0]);
          continue;
        }
      if (f[1][0] == '\0' || f[2][0] == '\0')
        {
          problem (problems, "allergy-groups.tsv", row->line,
                   _("name and members must not be empty"));
          continue;
        }

      group.id = intern (kb, f[0]);
      group.name = intern (kb, f[1]);
      group.note = intern (kb, f[4]);
      group.source = intern (kb, f[5]);
      g_array_append_val (kb->groups, group);
      index = kb->groups->len - 1;
      g_hash_table_insert (kb->group_index, group.id, GUINT_TO_POINTER (index + 1));

      add_term (kb, group.name, TRUE, index);
      {
        g_autofree char *spaced = g_strdelimit (g_strdup (group.id), "_", ' ');

        add_term (kb, spaced, TRUE, index);
      }
      terms = f[3][0] ? g_strsplit (f[3], ",", -1) : g_new0 (char *, 1);
      for (guint t = 0; terms[t]; t++)
        add_term (kb, terms[t], TRUE, index);

      members = g_strsplit (f[2], ",", -1);
      for (guint m = 0; members[m]; m++)
        {
          Party party;

          if (!parse_party (kb, members[m], &party))
            {
              problem (problems, "allergy-groups.tsv", row->line,
                       _("“%s” is no known drug:ID or class:CODE"), members[m]);
              continue;
            }
          for (guint d = 0; d < kb->drugs->len; d++)
            if (party_matches (kb, &party, d))
              {
                GArray *groups = drug_at (kb, d)->groups;
                gboolean seen = FALSE;

                for (guint g = 0; g < groups->len; g++)
                  seen |= g_array_index (groups, guint, g) == index;
                if (!seen)
                  g_array_append_val (groups, index);
              }
        }
    }
}

static void
load_allergy_cross (ChDrugKb   *kb,
                    GHashTable *files,
                    Problems   *problems)
{
  static const char * const header[] = { "group", "related", "severity", "note", "source", NULL };
  g_autoptr (GPtrArray) rows = read_table (files, "allergy-cross.tsv", header, problems);

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = rows->pdata[i];
      char **f = row->fields;
      guint group = group_lookup (kb, f[0]);
      guint related = group_lookup (kb, f[1]);
      Cross cross = { 0 };

      if (group == 0 || related == 0)
        {
          problem (problems, "allergy-cross.tsv", row->line, _("unknown allergy group “%s”"),
                   group == 0 ? f[0] : f[1]);
          continue;
        }
      if (!parse_severity (f[2], &cross.severity))
        {
          problem (problems, "allergy-cross.tsv", row->line, _("unknown severity “%s”"), f[2]);
          continue;
        }
      cross.group = group - 1;
      cross.related = related - 1;
      cross.note = intern (kb, f[3]);
      cross.source = intern (kb, f[4]);
      g_array_append_val (kb->cross, cross);
    }
}

static void
load_duplicates (ChDrugKb   *kb,
                 GHashTable *files,
                 Problems   *problems)
{
  static const char * const header[] = { "class", "severity", "note", NULL };
  g_autoptr (GPtrArray) rows = read_table (files, "duplicates.tsv", header, problems);

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = rows->pdata[i];
      char **f = row->fields;
      guint klass = class_lookup (kb, f[0]);
      Duplicate duplicate = { 0 };

      if (klass == 0)
        {
          problem (problems, "duplicates.tsv", row->line, _("unknown class “%s”"), f[0]);
          continue;
        }
      if (!parse_severity (f[1], &duplicate.severity))
        {
          problem (problems, "duplicates.tsv", row->line, _("unknown severity “%s”"), f[1]);
          continue;
        }
      duplicate.klass = klass - 1;
      duplicate.note = intern (kb, f[2]);
      g_array_append_val (kb->duplicates, duplicate);
    }
}


static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  const Name *x = a;
  const Name *y = b;
  int order = strcmp (x->key, y->key);

  /* The generic name before a brand spelled the same. */
  if (order == 0)
    order = (x->name != x->drug->pub.generic_name) - (y->name != y->drug->pub.generic_name);
  return order;
}

static void
add_name (ChDrugKb   *kb,
          Drug       *drug,
          const char *text)
{
  g_autofree char *folded = ch_fold (text);
  Name name = { intern (kb, folded), drug, (char *) text };

  g_array_append_val (kb->names, name);
  if (!g_hash_table_contains (kb->name_index, name.key))
    g_hash_table_insert (kb->name_index, name.key, drug);
  add_term (kb, text, FALSE, drug->index);
}

static void
finish (ChDrugKb *kb)
{
  for (guint d = 0; d < kb->drugs->len; d++)
    {
      Drug *drug = drug_at (kb, d);

      drug->pub.products = (const ChKbProduct *) drug->products->data;
      drug->pub.n_products = drug->products->len;
      drug->pub.doses = (const ChKbDose *) drug->doses->data;
      drug->pub.n_doses = drug->doses->len;

      add_name (kb, drug, drug->pub.generic_name);
      for (guint b = 0; drug->pub.brand_names[b]; b++)
        add_name (kb, drug, drug->pub.brand_names[b]);
    }
  g_array_sort (kb->names, compare_names);
}

ChDrugKb *
ch_drug_kb_new_from_files (GHashTable  *files,
                           GError     **error)
{
  g_autoptr (ChDrugKb) kb = kb_new ();
  Problems problems = { g_ptr_array_new_with_free_func (g_free), 0 };
  g_autoptr (GPtrArray) lines = problems.lines;
  guint class_problems;

  g_return_val_if_fail (files != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  load_info (kb, files, &problems);
  class_problems = problems.count;
  load_classes (kb, files, &problems);
  /* Unknown classes in drugs.tsv are only worth reporting once classes.tsv is sound. */
  load_drugs (kb, files, problems.count == class_problems, &problems);
  load_products (kb, files, &problems);
  load_doses (kb, files, &problems);
  load_interactions (kb, files, &problems);
  load_allergy_groups (kb, files, &problems);
  load_allergy_cross (kb, files, &problems);
  load_duplicates (kb, files, &problems);

  if (problems.count == 0 && kb->drugs->len == 0)
    problem (&problems, "drugs.tsv", 0, _("the base has no drugs"));

  if (problems.count > 0)
    {
      g_autoptr (GString) message = g_string_new (NULL);

      g_string_append_printf (message,
                              g_dngettext (GETTEXT_PACKAGE,
                                           "The drug knowledge base is not valid (%u problem):",
                                           "The drug knowledge base is not valid (%u problems):",
                                           problems.count),
                              problems.count);
      for (guint i = 0; i < lines->len; i++)
        g_string_append_printf (message, "\n%s", (char *) lines->pdata[i]);
      if (problems.count > lines->len)
        g_string_append_printf (message, "\n%s", _("…"));
      g_set_error_literal (error, CH_DRUG_KB_ERROR,
                           g_hash_table_contains (files, "drugs.tsv")
                           ? CH_DRUG_KB_ERROR_INVALID : CH_DRUG_KB_ERROR_MISSING,
                           message->str);
      return NULL;
    }

  finish (kb);
  return g_steal_pointer (&kb);
}

GHashTable *
ch_drug_kb_read_dir (const char  *dir,
                     GError     **error)
{
  g_autoptr (GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) g_bytes_unref);

  g_return_val_if_fail (dir != NULL, NULL);

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CH_DRUG_KB_ERROR, CH_DRUG_KB_ERROR_MISSING,
                   _("“%s” is not a folder"), dir);
      return NULL;
    }

  for (guint i = 0; ch_drug_kb_file_names[i]; i++)
    {
      g_autofree char *path = g_build_filename (dir, ch_drug_kb_file_names[i], NULL);
      g_autoptr (GError) local_error = NULL;
      char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (path, &contents, &length, &local_error))
        {
          if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            continue;   /* reported as missing by the parser */
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_hash_table_insert (files, g_strdup (ch_drug_kb_file_names[i]),
                           g_bytes_new_take (contents, length));
    }
  return g_steal_pointer (&files);
}

static gpointer
load_shipped (gpointer user_data)
{
  g_autoptr (GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) g_bytes_unref);
  g_autoptr (GError) error = NULL;
  ChDrugKb *kb;

  for (guint i = 0; ch_drug_kb_file_names[i]; i++)
    {
      g_autofree char *path = g_strconcat (RESOURCE_PREFIX, ch_drug_kb_file_names[i], NULL);
      GBytes *bytes = g_resource_lookup_data (ch_refdata_get_resource (), path,
                                             G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

      if (bytes != NULL)
        g_hash_table_insert (files, g_strdup (ch_drug_kb_file_names[i]), bytes);
    }

  kb = ch_drug_kb_new_from_files (files, &error);
  /* The shipped base is checked by the test suite; failing here is a build defect. */
  if (kb == NULL)
    g_error ("The shipped drug knowledge base does not load: %s", error->message);
  return kb;
}

ChDrugKb *
ch_drug_kb_get_shipped (void)
{
  static GOnce once = G_ONCE_INIT;

  return ch_drug_kb_ref (g_once (&once, load_shipped, NULL));
}

const char *
ch_drug_kb_get_info (ChDrugKb   *kb,
                     const char *key)
{
  const char *value;

  g_return_val_if_fail (kb != NULL, "");

  value = g_hash_table_lookup (kb->info, key);
  return value ? value : "";
}

guint
ch_drug_kb_count_drugs (ChDrugKb *kb)
{
  return kb->drugs->len;
}

guint
ch_drug_kb_count_interactions (ChDrugKb *kb)
{
  return kb->interactions->len;
}

guint
ch_drug_kb_count_allergy_groups (ChDrugKb *kb)
{
  return kb->groups->len;
}

const ChKbDrug *
ch_drug_kb_lookup (ChDrugKb   *kb,
                   const char *id)
{
  Drug *drug;

  g_return_val_if_fail (kb != NULL, NULL);

  drug = id ? g_hash_table_lookup (kb->drug_index, id) : NULL;
  return drug ? &drug->pub : NULL;
}

const ChKbDrug *
ch_drug_kb_find (ChDrugKb   *kb,
                 const char *name)
{
  g_autofree char *folded = NULL;
  Drug *drug;

  g_return_val_if_fail (kb != NULL, NULL);

  if (name == NULL)
    return NULL;
  folded = ch_fold (name);
  drug = g_hash_table_lookup (kb->name_index, folded);
  if (drug == NULL)
    drug = g_hash_table_lookup (kb->drug_index, folded);
  return drug ? &drug->pub : NULL;
}

gboolean
ch_drug_kb_drug_in_class (ChDrugKb       *kb,
                          const ChKbDrug *drug,
                          const char     *class_code)
{
  guint index;

  g_return_val_if_fail (kb != NULL && drug != NULL, FALSE);

  index = class_lookup (kb, class_code);
  return index != 0 && drug_has_class ((const Drug *) drug, index - 1);
}

const char *
ch_drug_kb_class_name (ChDrugKb   *kb,
                       const char *class_code)
{
  guint index = class_lookup (kb, class_code);

  return index ? g_array_index (kb->classes, Class, index - 1).name : NULL;
}

static gboolean
has_word_prefix (const char *text,
                 const char *prefix)
{
  gsize length = strlen (prefix);

  for (const char *p = text; *p; p++)
    if ((p == text || !g_ascii_isalnum (p[-1])) && strncmp (p, prefix, length) == 0)
      return TRUE;
  return FALSE;
}

GPtrArray *
ch_drug_kb_search (ChDrugKb   *kb,
                   const char *query,
                   guint       limit)
{
  GPtrArray *hits = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *folded = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);

  g_return_val_if_fail (kb != NULL, hits);

  /* ch_fold() drops leading and trailing blanks itself. */
  folded = ch_fold (query);
  if (folded[0] == '\0' || limit == 0)
    return hits;

  /* First the names that start with the query, then those with a word that does. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < kb->names->len && hits->len < limit; i++)
      {
        Name *name = &g_array_index (kb->names, Name, i);
        gboolean match = pass == 0 ? g_str_has_prefix (name->key, folded)
                                   : has_word_prefix (name->key, folded);
        ChKbDrugHit *hit;

        if (!match || g_hash_table_contains (seen, name->drug))
          continue;
        g_hash_table_add (seen, name->drug);
        hit = g_new0 (ChKbDrugHit, 1);
        hit->drug = &name->drug->pub;
        hit->matched = name->name;
        g_ptr_array_add (hits, hit);
      }
  return hits;
}

/* Severities and alerts ***********************************************/

static const char * const severity_names[] = {
  "notice", "minor", "moderate", "major", "contraindicated",
};

const char *
ch_drug_severity_to_string (ChDrugSeverity severity)
{
  g_return_val_if_fail (severity <= CH_DRUG_SEVERITY_CONTRAINDICATED, "notice");

  return severity_names[severity];
}

const char *
ch_drug_severity_label (ChDrugSeverity severity)
{
  switch (severity)
    {
    case CH_DRUG_SEVERITY_NOTICE: return C_("drug alert severity", "Notice");
    case CH_DRUG_SEVERITY_MINOR: return C_("drug alert severity", "Minor");
    case CH_DRUG_SEVERITY_MODERATE: return C_("drug alert severity", "Moderate");
    case CH_DRUG_SEVERITY_MAJOR: return C_("drug alert severity", "Major");
    case CH_DRUG_SEVERITY_CONTRAINDICATED: return C_("drug alert severity", "Contraindicated");
    default: g_return_val_if_reached ("");
    }
}

gboolean
ch_drug_severity_from_string (const char     *text,
                              ChDrugSeverity *severity)
{
  for (guint i = 0; i < G_N_ELEMENTS (severity_names); i++)
    if (g_strcmp0 (text, severity_names[i]) == 0)
      {
        *severity = i;
        return TRUE;
      }
  return FALSE;
}

const char *
ch_drug_alert_kind_to_string (ChDrugAlertKind kind)
{
  static const char * const names[] = {
    "interaction", "allergy", "duplicate", "dose", "unchecked-allergy", "unknown-drug",
  };

  g_return_val_if_fail (kind < G_N_ELEMENTS (names), "");
  return names[kind];
}

void
ch_drug_alert_free (ChDrugAlert *alert)
{
  if (alert == NULL)
    return;
  g_free (alert->rule);
  g_free (alert->drug_a);
  g_free (alert->drug_b);
  g_free (alert->party_a);
  g_free (alert->party_b);
  g_free (alert->effect);
  g_free (alert->mechanism);
  g_free (alert->management);
  g_free (alert->source);
  g_free (alert);
}

char *
ch_drug_alert_title (const ChDrugAlert *alert)
{
  const char *severity = ch_drug_severity_label (alert->severity);

  switch (alert->kind)
    {
    case CH_DRUG_ALERT_INTERACTION:
      /* Translators: "Major interaction: warfarin + ibuprofen" */
      return g_strdup_printf (_("%s interaction: %s + %s"), severity, alert->party_a,
                              alert->party_b);
    case CH_DRUG_ALERT_ALLERGY:
      /* Translators: "Contraindicated: amoxicillin for a patient allergic to “penicillin”" */
      return g_strdup_printf (_("%s: %s for a patient allergic to “%s”"), severity,
                              alert->party_a, alert->party_b);
    case CH_DRUG_ALERT_DUPLICATE:
      return g_strdup_printf (_("%s duplicate therapy: %s + %s"), severity, alert->party_a,
                              alert->party_b);
    case CH_DRUG_ALERT_DOSE:
      return g_strdup_printf (_("%s: %s dose outside the usual range"), severity, alert->party_a);
    case CH_DRUG_ALERT_UNCHECKED_ALLERGY:
      return g_strdup_printf (_("Unchecked allergy: “%s”"), alert->party_b);
    case CH_DRUG_ALERT_UNKNOWN_DRUG:
      return g_strdup_printf (_("Not checked: “%s” is not in the drug knowledge base"),
                              alert->party_a);
    default:
      g_return_val_if_reached (g_strdup (""));
    }
}

char *
ch_drug_alert_pair_key (const ChDrugAlert *alert)
{
  const char *a = alert->drug_a ? alert->drug_a : "";
  g_autofree char *b = alert->drug_b ? g_strdup (alert->drug_b) : words_key (alert->party_b);

  if (strcmp (a, b) > 0)
    return g_strdup_printf ("%s:%s+%s", alert->rule, b, a);
  return g_strdup_printf ("%s:%s+%s", alert->rule, a, b);
}

static ChDrugAlert *
alert_new (ChDrugAlertKind  kind,
           ChDrugSeverity   severity,
           const char      *rule,
           const ChKbDrug  *a,
           const char      *name_a,
           const ChKbDrug  *b,
           const char      *name_b)
{
  ChDrugAlert *alert = g_new0 (ChDrugAlert, 1);

  alert->kind = kind;
  alert->severity = severity;
  alert->rule = g_strdup (rule);
  alert->drug_a = a ? g_strdup (a->id) : NULL;
  alert->drug_b = b ? g_strdup (b->id) : NULL;
  alert->party_a = g_strdup (name_a && name_a[0] ? name_a : a ? a->generic_name : "");
  alert->party_b = g_strdup (name_b && name_b[0] ? name_b : b ? b->generic_name : "");
  alert->mechanism = g_strdup ("");
  alert->source = g_strdup ("");
  return alert;
}

static void
check_pair (ChDrugKb             *kb,
            const ChKbMedication *p,
            const Drug           *a,
            const ChKbMedication *q,
            const Drug           *b,
            GPtrArray            *alerts)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
  const Duplicate *duplicate = NULL;

  for (guint i = 0; i < a->refs->len; i++)
    {
      const Ref *ref = &g_array_index (a->refs, Ref, i);
      const Interaction *interaction = &g_array_index (kb->interactions, Interaction,
                                                       ref->interaction);
      ChDrugAlert *alert;

      if (g_hash_table_contains (seen, GUINT_TO_POINTER (ref->interaction + 1))
          || !party_matches (kb, &interaction->party[1 - ref->side], b->index))
        continue;
      g_hash_table_add (seen, GUINT_TO_POINTER (ref->interaction + 1));

      alert = alert_new (CH_DRUG_ALERT_INTERACTION, interaction->severity, interaction->id,
                         &a->pub, p->name, &b->pub, q->name);
      alert->effect = g_strdup (interaction->effect);
      g_free (alert->mechanism);
      alert->mechanism = g_strdup (interaction->mechanism);
      alert->management = g_strdup (interaction->management);
      g_free (alert->source);
      alert->source = g_strdup (interaction->source);
      g_ptr_array_add (alerts, alert);
    }

  for (guint i = 0; i < kb->duplicates->len; i++)
    {
      const Duplicate *d = &g_array_index (kb->duplicates, Duplicate, i);

      if (drug_has_class (a, d->klass) && drug_has_class (b, d->klass)
          && (duplicate == NULL || d->severity > duplicate->severity))
        duplicate = d;
    }
  if (a == b)
    {
      ChDrugAlert *alert = alert_new (CH_DRUG_ALERT_DUPLICATE, CH_DRUG_SEVERITY_MAJOR, "same-drug",
                                      &a->pub, p->name, &b->pub, q->name);

      alert->effect = g_strdup_printf (_("%s is prescribed twice."), a->pub.generic_name);
      alert->management = g_strdup (_("Renew or change the existing prescription instead, or stop one."));
      g_ptr_array_add (alerts, alert);
    }
  else if (duplicate != NULL)
    {
      const Class *klass = &g_array_index (kb->classes, Class, duplicate->klass);
      ChDrugAlert *alert = alert_new (CH_DRUG_ALERT_DUPLICATE, duplicate->severity, klass->code,
                                      &a->pub, p->name, &b->pub, q->name);

      /* Translators: "Both are statins (HMG CoA reductase inhibitors)." */
      alert->effect = g_strdup_printf (_("Both are %s."), klass->name);
      alert->management = g_strdup (duplicate->note[0] ? duplicate->note
                                    : _("Check that both are intended; stop one if not."));
      g_ptr_array_add (alerts, alert);
    }
}

/* Returns: the drugs and groups that @substance names, as Targets */
static GArray *
match_allergy (ChDrugKb   *kb,
               const char *substance)
{
  GArray *targets = g_array_new (FALSE, FALSE, sizeof (Target));
  g_autofree char *key = words_key (substance);
  g_auto (GStrv) words = g_strsplit (key, " ", -1);
  guint n_words = g_strv_length (words);

  for (guint length = MIN (n_words, 5); length > 0; length--)
    for (guint start = 0; start + length <= n_words; start++)
      {
        g_autofree char *phrase = NULL;
        GArray *found;
        char *saved = words[start + length];

        words[start + length] = NULL;
        phrase = g_strjoinv (" ", words + start);
        words[start + length] = saved;

        found = g_hash_table_lookup (kb->allergy_terms, phrase);
        /* "penicillins", "sulfas": also without a plural s */
        if (found == NULL && g_str_has_suffix (phrase, "s") && strlen (phrase) > 3)
          {
            phrase[strlen (phrase) - 1] = '\0';
            found = g_hash_table_lookup (kb->allergy_terms, phrase);
          }
        if (found != NULL)
          g_array_append_vals (targets, found->data, found->len);
      }
  return targets;
}

static gboolean
in_groups (const GArray *groups,
           guint         group)
{
  for (guint i = 0; i < groups->len; i++)
    if (g_array_index (groups, guint, i) == group)
      return TRUE;
  return FALSE;
}

static void
check_allergy (ChDrugKb             *kb,
               const ChKbMedication *p,
               const Drug           *drug,
               const ChKbAllergy    *allergy,
               GArray               *targets,
               GPtrArray            *alerts)
{
  g_autoptr (GArray) groups = g_array_new (FALSE, FALSE, sizeof (guint));
  const Drug *named = NULL;
  const Group *same = NULL;
  const Cross *cross = NULL;
  ChDrugAlert *alert;

  for (guint i = 0; i < targets->len; i++)
    {
      Target *t = &g_array_index (targets, Target, i);

      if (t->is_group)
        {
          if (!in_groups (groups, t->index))
            g_array_append_val (groups, t->index);
          continue;
        }
      if (t->index == drug->index)
        named = drug;
      for (guint g = 0; g < drug_at (kb, t->index)->groups->len; g++)
        {
          guint group = g_array_index (drug_at (kb, t->index)->groups, guint, g);

          if (!in_groups (groups, group))
            g_array_append_val (groups, group);
        }
    }

  for (guint i = 0; i < groups->len && same == NULL; i++)
    if (in_groups (drug->groups, g_array_index (groups, guint, i)))
      same = &g_array_index (kb->groups, Group, g_array_index (groups, guint, i));

  if (named == NULL && same == NULL)
    for (guint c = 0; c < kb->cross->len; c++)
      {
        const Cross *x = &g_array_index (kb->cross, Cross, c);

        if (in_groups (groups, x->group) && in_groups (drug->groups, x->related)
            && (cross == NULL || x->severity > cross->severity))
          cross = x;
      }

  if (named != NULL)
    {
      alert = alert_new (CH_DRUG_ALERT_ALLERGY, CH_DRUG_SEVERITY_CONTRAINDICATED, "allergy",
                         &drug->pub, p->name, NULL, allergy->substance);
      alert->effect = g_strdup_printf (_("The patient has a recorded allergy to %s."),
                                       drug->pub.generic_name);
      alert->management = g_strdup (_("Do not prescribe unless the allergy has been disproved; choose a drug from another class."));
    }
  else if (same != NULL)
    {
      alert = alert_new (CH_DRUG_ALERT_ALLERGY, CH_DRUG_SEVERITY_CONTRAINDICATED, same->id,
                         &drug->pub, p->name, NULL, allergy->substance);
      /* Translators: "amoxicillin is in the allergy group “Penicillins”, like the recorded allergy" */
      alert->effect = g_strdup_printf (_("%s is in the allergy group “%s”, like the recorded allergy (cross-sensitivity)."),
                                       drug->pub.generic_name, same->name);
      alert->management = g_strdup (same->note[0] ? same->note
                                    : _("Choose a drug from another group."));
      g_free (alert->source);
      alert->source = g_strdup (same->source);
    }
  else if (cross != NULL)
    {
      const Group *from = &g_array_index (kb->groups, Group, cross->group);
      const Group *to = &g_array_index (kb->groups, Group, cross->related);

      alert = alert_new (CH_DRUG_ALERT_ALLERGY, cross->severity, to->id,
                         &drug->pub, p->name, NULL, allergy->substance);
      /* Translators: "The recorded allergy is in the group “Penicillins”; cephalexin is in “Cephalosporins”, which can cross-react." */
      alert->effect = g_strdup_printf (_("The recorded allergy is in the group “%s”; %s is in “%s”, which can cross-react."),
                                       from->name, drug->pub.generic_name, to->name);
      alert->management = g_strdup (cross->note);
      g_free (alert->source);
      alert->source = g_strdup (cross->source);
    }
  else
    return;

  g_ptr_array_add (alerts, alert);
}

gboolean
ch_drug_dose_convert (double      value,
              const char *unit,
              const char *target,
              double     *result)
{
  static const struct { const char *unit; double mcg; } masses[] = {
    { "g", 1e6 }, { "mg", 1e3 }, { "mcg", 1 }, { "µg", 1 }, { "ug", 1 },
  };
  double from = 0, to = 0;

  if (g_ascii_strcasecmp (unit, target) == 0
      || (g_str_has_prefix (unit, "unit") && g_str_has_prefix (target, "unit")))
    {
      *result = value;
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (masses); i++)
    {
      if (g_strcmp0 (unit, masses[i].unit) == 0)
        from = masses[i].mcg;
      if (g_strcmp0 (target, masses[i].unit) == 0)
        to = masses[i].mcg;
    }
  if (from == 0 || to == 0)
    return FALSE;
  *result = value * from / to;
  return TRUE;
}

/* "16000 mg", "0.125 mg": never "1.6e+04 mg" in front of a prescriber. */
static char *
format_amount (double      value,
               const char *unit)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  char *end;

  g_ascii_formatd (buffer, sizeof buffer, value >= 1 && value < 1e15 ? "%.3f" : "%.4g", value);
  if (strchr (buffer, '.') != NULL && strchr (buffer, 'e') == NULL)
    {
      end = buffer + strlen (buffer) - 1;
      while (*end == '0')
        *end-- = '\0';
      if (*end == '.')
        *end = '\0';
    }
  return g_strdup_printf ("%s %s", buffer, unit);
}

static void
check_dose (const ChKbMedication *p,
            const Drug           *drug,
            GPtrArray            *alerts)
{
  const ChKbDose *dose = NULL;
  double single, daily;
  ChDrugAlert *alert;
  g_autofree char *range = NULL;
  g_autofree char *given = NULL;

  if (!(p->dose > 0) || p->unit == NULL)
    return;
  for (guint i = 0; i < drug->doses->len && dose == NULL; i++)
    {
      const ChKbDose *d = &g_array_index (drug->doses, ChKbDose, i);

      if (p->route == NULL || p->route[0] == '\0' || g_strcmp0 (p->route, d->route) == 0)
        dose = d;
    }
  if (dose == NULL || !ch_drug_dose_convert (p->dose, p->unit, dose->unit, &single))
    return;

  given = format_amount (p->dose, p->unit);
  daily = p->per_day > 0 ? single * p->per_day : NAN;
  if (!isnan (dose->max_daily) && !isnan (daily) && daily > dose->max_daily * 1.0001)
    {
      g_autofree char *day = format_amount (daily, dose->unit);
      g_autofree char *max = format_amount (dose->max_daily, dose->unit);

      alert = alert_new (CH_DRUG_ALERT_DOSE, CH_DRUG_SEVERITY_MAJOR, "dose.daily",
                         &drug->pub, p->name, NULL, given);
      alert->effect = g_strdup_printf (_("%s a day is more than the usual adult maximum of %s a day."),
                                       day, max);
    }
  else if (!isnan (dose->max_dose) && single > dose->max_dose * 1.0001)
    {
      g_autofree char *max = format_amount (dose->max_dose, dose->unit);

      alert = alert_new (CH_DRUG_ALERT_DOSE, CH_DRUG_SEVERITY_MODERATE, "dose.high",
                         &drug->pub, p->name, NULL, given);
      alert->effect = g_strdup_printf (_("A dose of %s is more than the usual adult maximum single dose of %s."),
                                       given, max);
    }
  else if (!isnan (dose->min_dose) && single < dose->min_dose * 0.9999)
    {
      g_autofree char *min = format_amount (dose->min_dose, dose->unit);

      alert = alert_new (CH_DRUG_ALERT_DOSE, CH_DRUG_SEVERITY_MINOR, "dose.low",
                         &drug->pub, p->name, NULL, given);
      alert->effect = g_strdup_printf (_("A dose of %s is less than the usual adult dose of at least %s."),
                                       given, min);
    }
  else
    return;

  alert->management = g_strdup (_("Check the dose, the units and the frequency; adjust for age, weight, kidney and liver function as needed."));
  g_free (alert->source);
  alert->source = g_strdup (dose->source);
  g_ptr_array_add (alerts, alert);
}

static int
compare_alerts (gconstpointer a,
                gconstpointer b)
{
  const ChDrugAlert *x = *(ChDrugAlert **) a;
  const ChDrugAlert *y = *(ChDrugAlert **) b;

  if (x->severity != y->severity)
    return (int) y->severity - (int) x->severity;
  if (x->kind != y->kind)
    return (int) x->kind - (int) y->kind;
  if (g_strcmp0 (x->party_a, y->party_a) != 0)
    return g_strcmp0 (x->party_a, y->party_a);
  return g_strcmp0 (x->party_b, y->party_b);
}

const ChKbDrug *
ch_drug_kb_find_in_text (ChDrugKb   *kb,
                         const char *text)
{
  g_autofree char *key = NULL;
  g_auto (GStrv) words = NULL;

  g_return_val_if_fail (kb != NULL, NULL);

  if (text == NULL)
    return NULL;
  key = words_key (text);
  words = g_strsplit (key, " ", -1);

  /* The longest run of leading words that names a drug. */
  for (guint length = MIN (g_strv_length (words), 6); length > 0; length--)
    {
      g_autofree char *phrase = NULL;
      char *saved = words[length];
      GArray *targets;

      words[length] = NULL;
      phrase = g_strjoinv (" ", words);
      words[length] = saved;

      targets = g_hash_table_lookup (kb->allergy_terms, phrase);
      for (guint i = 0; targets != NULL && i < targets->len; i++)
        if (!g_array_index (targets, Target, i).is_group)
          return &drug_at (kb, g_array_index (targets, Target, i).index)->pub;
    }
  return NULL;
}

static const Drug *
medication_drug (ChDrugKb             *kb,
                 const ChKbMedication *medication)
{
  const ChKbDrug *drug = ch_drug_kb_lookup (kb, medication->drug_id);

  if (drug == NULL && medication->name != NULL)
    drug = ch_drug_kb_find_in_text (kb, medication->name);
  return (const Drug *) drug;
}

static ChDrugAlert *
unknown_drug_alert (const ChKbMedication *medication)
{
  ChDrugAlert *alert = alert_new (CH_DRUG_ALERT_UNKNOWN_DRUG, CH_DRUG_SEVERITY_NOTICE,
                                  "unknown-drug", NULL,
                                  medication->name ? medication->name : medication->drug_id,
                                  NULL, "");

  alert->effect = g_strdup (_("No interaction, allergy, duplicate or dose check was made for it."));
  alert->management = g_strdup (_("Check it against the patient's medications and allergies yourself."));
  return alert;
}

GPtrArray *
ch_drug_kb_check (ChDrugKb             *kb,
                  const ChKbMedication *proposed,
                  guint                 n_proposed,
                  const ChKbMedication *current,
                  guint                 n_current,
                  const ChKbAllergy    *allergies,
                  guint                 n_allergies)
{
  GPtrArray *alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_drug_alert_free);
  g_autoptr (GPtrArray) matched = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  g_return_val_if_fail (kb != NULL, alerts);

  for (guint a = 0; a < n_allergies; a++)
    {
      GArray *targets = match_allergy (kb, allergies[a].substance ? allergies[a].substance : "");
      const char *kind = allergies[a].kind ? allergies[a].kind : "";

      g_ptr_array_add (matched, targets);
      if (targets->len == 0 && !g_str_equal (kind, "food") && !g_str_equal (kind, "environment"))
        {
          ChDrugAlert *alert = alert_new (CH_DRUG_ALERT_UNCHECKED_ALLERGY, CH_DRUG_SEVERITY_NOTICE,
                                          "unchecked-allergy", NULL, "", NULL,
                                          allergies[a].substance);

          alert->effect = g_strdup (_("This recorded allergy matches no drug or allergy group in the knowledge base, so it was not checked."));
          alert->management = g_strdup (_("Check it yourself, and record it with the drug's or the group's name (for example “penicillin”) so that it can be checked."));
          g_ptr_array_add (alerts, alert);
        }
    }

  for (guint j = 0; j < n_current; j++)
    if (medication_drug (kb, &current[j]) == NULL)
      g_ptr_array_add (alerts, unknown_drug_alert (&current[j]));

  for (guint i = 0; i < n_proposed; i++)
    {
      const ChKbMedication *p = &proposed[i];
      const Drug *drug = medication_drug (kb, p);

      if (drug == NULL)
        {
          g_ptr_array_add (alerts, unknown_drug_alert (p));
          continue;
        }

      for (guint j = i + 1; j < n_proposed; j++)
        {
          const Drug *other = medication_drug (kb, &proposed[j]);

          if (other != NULL)
            check_pair (kb, p, drug, &proposed[j], other, alerts);
        }
      for (guint j = 0; j < n_current; j++)
        {
          const Drug *other = medication_drug (kb, &current[j]);

          if (other != NULL)
            check_pair (kb, p, drug, &current[j], other, alerts);
        }
      for (guint a = 0; a < n_allergies; a++)
        check_allergy (kb, p, drug, &allergies[a], matched->pdata[a], alerts);
      check_dose (p, drug, alerts);
    }

  g_ptr_array_sort (alerts, compare_alerts);
  return alerts;
}
