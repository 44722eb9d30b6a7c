/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-hl7-oru"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ch-hl7-oru.h"

static void
code_clear (ChHl7Code *code)
{
  g_clear_pointer (&code->code, g_free);
  g_clear_pointer (&code->text, g_free);
  g_clear_pointer (&code->system, g_free);
}

static void
identifier_free (gpointer data)
{
  ChHl7Identifier *id = data;

  g_free (id->id);
  g_free (id->assigning_authority);
  g_free (id->type);
  g_free (id);
}

static void
observation_free (gpointer data)
{
  ChHl7Observation *obs = data;

  g_free (obs->value_type_name);
  code_clear (&obs->observation);
  g_free (obs->sub_id);
  g_free (obs->value);
  code_clear (&obs->coded_value);
  g_clear_pointer (&obs->data, g_bytes_unref);
  g_free (obs->data_type);
  g_free (obs->data_subtype);
  g_free (obs->units);
  g_free (obs->reference_range);
  g_free (obs->abnormal_flags);
  g_free (obs->status);
  g_free (obs->observed_at);
  g_clear_pointer (&obs->comments, g_ptr_array_unref);
  g_free (obs);
}

static void
order_free (gpointer data)
{
  ChHl7Order *order = data;

  g_free (order->placer_number);
  g_free (order->filler_number);
  code_clear (&order->test);
  g_free (order->observed_at);
  g_free (order->status_changed_at);
  g_free (order->result_status);
  g_clear_pointer (&order->observations, g_ptr_array_unref);
  g_clear_pointer (&order->comments, g_ptr_array_unref);
  g_free (order);
}

static void
patient_result_free (gpointer data)
{
  ChHl7PatientResult *result = data;

  g_clear_pointer (&result->patient.identifiers, g_ptr_array_unref);
  g_free (result->patient.family);
  g_free (result->patient.given);
  g_free (result->patient.middle);
  g_free (result->patient.birth_date);
  g_free (result->patient.sex);
  g_clear_pointer (&result->orders, g_ptr_array_unref);
  g_free (result);
}

void
ch_hl7_oru_free (ChHl7Oru *oru)
{
  if (oru == NULL)
    return;
  g_free (oru->control_id);
  g_free (oru->sending_application);
  g_free (oru->sending_facility);
  g_free (oru->message_time);
  g_free (oru->version);
  g_clear_pointer (&oru->patients, g_ptr_array_unref);
  g_free (oru);
}

const ChHl7Identifier *
ch_hl7_patient_find_identifier (const ChHl7Patient *patient,
                                const char         *type)
{
  g_return_val_if_fail (patient != NULL, NULL);

  if (patient->identifiers == NULL)
    return NULL;
  for (guint i = 0; i < patient->identifiers->len; i++)
    {
      const ChHl7Identifier *id = g_ptr_array_index (patient->identifiers, i);

      if (type == NULL || g_strcmp0 (id->type, type) == 0)
        return id;
    }
  return NULL;
}

/* Element access: NULL for absent and empty alike, white space trimmed. */
static char *
get (ChHl7Message *msg,
     guint         pos,
     guint         field,
     guint         rep,
     guint         comp,
     guint         sub)
{
  char *value = ch_hl7_message_get_at (msg, pos, field, rep, comp, sub);

  if (value == NULL)
    return NULL;
  g_strstrip (value);
  if (*value == '\0')
    {
      g_free (value);
      return NULL;
    }
  return value;
}

static void
read_code (ChHl7Message *msg,
           guint         pos,
           guint         field,
           guint         rep,
           ChHl7Code    *code)
{
  code->code = get (msg, pos, field, rep, 1, 0);
  code->text = get (msg, pos, field, rep, 2, 0);
  code->system = get (msg, pos, field, rep, 3, 0);
}

/* Every repetition of a field, decoded, joined by @sep. */
static char *
get_joined (ChHl7Message *msg,
            guint         pos,
            guint         field,
            const char   *sep)
{
  guint n = ch_hl7_message_get_n_repetitions (msg, pos, field);
  GString *out = g_string_new (NULL);

  for (guint r = 1; r <= n; r++)
    {
      g_autofree char *value = ch_hl7_message_get_at (msg, pos, field, r, 0, 0);

      if (r > 1)
        g_string_append (out, sep);
      g_string_append (out, value ? value : "");
    }
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

static gboolean
is_number (const char *text)
{
  const char *p = text;
  gboolean digits = FALSE;

  if (*p == '+' || *p == '-')
    p++;
  while (g_ascii_isdigit (*p))
    p++, digits = TRUE;
  if (*p == '.')
    p++;
  while (g_ascii_isdigit (*p))
    p++, digits = TRUE;
  return digits && *p == '\0';
}

static ChHl7ValueType
value_type_from_name (const char *name)
{
  static const struct
  {
    const char *name;
    ChHl7ValueType type;
  } types[] = {
    { "NM", CH_HL7_VALUE_NM },
    { "ST", CH_HL7_VALUE_ST },
    { "TX", CH_HL7_VALUE_TX },
    { "FT", CH_HL7_VALUE_FT },
    { "CE", CH_HL7_VALUE_CE },
    { "CWE", CH_HL7_VALUE_CE },
    { "SN", CH_HL7_VALUE_SN },
    { "ED", CH_HL7_VALUE_ED },
    { "DT", CH_HL7_VALUE_DT },
    { "TS", CH_HL7_VALUE_TS },
    { "DTM", CH_HL7_VALUE_TS },
  };

  if (name == NULL)
    return CH_HL7_VALUE_OTHER;
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    if (strcmp (types[i].name, name) == 0)
      return types[i].type;
  return CH_HL7_VALUE_OTHER;
}

/* Base64 with white space allowed between the characters (some senders
 * break the data into lines with \.br\ or \X0D0A\). */
static GBytes *
decode_base64 (const char *text)
{
  g_autoptr(GString) clean = g_string_sized_new (strlen (text));
  gsize n_pad = 0;
  guchar *data;
  gsize len;

  for (const char *p = text; *p; p++)
    {
      char c = *p;

      if (g_ascii_isspace (c))
        continue;
      if (c == '=')
        n_pad++;
      else if (n_pad > 0 || !(g_ascii_isalnum (c) || c == '+' || c == '/'))
        return NULL;
      g_string_append_c (clean, c);
    }
  if (clean->len == 0 || clean->len % 4 != 0 || n_pad > 2)
    return NULL;

  data = g_base64_decode (clean->str, &len);
  return g_bytes_new_take (data, len);
}

static GBytes *
decode_hex (const char *text)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  int high = -1;

  for (const char *p = text; *p; p++)
    {
      int v = g_ascii_xdigit_value (*p);

      if (g_ascii_isspace (*p))
        continue;
      if (v < 0)
        return NULL;
      if (high < 0)
        high = v;
      else
        {
          guint8 byte = (guint8) (high * 16 + v);

          g_byte_array_append (out, &byte, 1);
          high = -1;
        }
    }
  if (high >= 0 || out->len == 0)
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static gboolean
read_value (ChHl7Message     *msg,
            guint             pos,
            ChHl7Observation *obs,
            GError          **error)
{
  switch (obs->value_type)
    {
    case CH_HL7_VALUE_NM:
      /* Labs do send "<5", ">1000" or "TNP" as NM: kept as the text it is
       * (the import stores no numeric value for it) rather than losing the
       * whole message. */
      obs->value = get (msg, pos, 5, 1, 0, 0);
      return TRUE;

    case CH_HL7_VALUE_CE:
      read_code (msg, pos, 5, 1, &obs->coded_value);
      obs->value = g_strdup (obs->coded_value.text ? obs->coded_value.text : obs->coded_value.code);
      return TRUE;

    case CH_HL7_VALUE_SN:
      {
        g_autofree char *comparator = get (msg, pos, 5, 1, 1, 0);
        g_autofree char *num1 = get (msg, pos, 5, 1, 2, 0);
        g_autofree char *separator = get (msg, pos, 5, 1, 3, 0);
        g_autofree char *num2 = get (msg, pos, 5, 1, 4, 0);

        if (comparator == NULL && num1 == NULL && num2 == NULL)
          return TRUE;
        if ((num1 != NULL && !is_number (num1)) || (num2 != NULL && !is_number (num2)))
          {
            g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_INVALID,
                         _("OBX-5 (segment %u): a structured numeric (SN) value holds something that is not a number"),
                         pos + 1);
            return FALSE;
          }
        obs->value = g_strconcat (comparator ? comparator : "",
                                  num1 ? num1 : "",
                                  separator ? separator : "",
                                  num2 ? num2 : "",
                                  NULL);
        return TRUE;
      }

    case CH_HL7_VALUE_ED:
      {
        g_autofree char *encoding = get (msg, pos, 5, 1, 4, 0);
        g_autofree char *data = get (msg, pos, 5, 1, 5, 0);

        obs->data_type = get (msg, pos, 5, 1, 2, 0);
        obs->data_subtype = get (msg, pos, 5, 1, 3, 0);
        if (data == NULL)
          {
            g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_MISSING,
                         _("OBX-5.5 (segment %u): the encapsulated data (ED) is missing"),
                         pos + 1);
            return FALSE;
          }
        if (encoding != NULL && g_ascii_strcasecmp (encoding, "Base64") == 0)
          obs->data = decode_base64 (data);
        else if (encoding != NULL && g_ascii_strcasecmp (encoding, "Hex") == 0)
          obs->data = decode_hex (data);
        else if (encoding != NULL && g_ascii_strcasecmp (encoding, "A") == 0)
          obs->data = g_bytes_new (data, strlen (data));
        else
          {
            g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_INVALID,
                         _("OBX-5.4 (segment %u): unknown encoding “%s” of encapsulated data; expected Base64, Hex or A"),
                         pos + 1, encoding ? encoding : "");
            return FALSE;
          }
        if (obs->data == NULL)
          {
            g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_INVALID,
                         _("OBX-5.5 (segment %u): the encapsulated data is not valid %s"),
                         pos + 1, encoding);
            return FALSE;
          }
        return TRUE;
      }

    case CH_HL7_VALUE_DT:
    case CH_HL7_VALUE_TS:
      obs->value = get (msg, pos, 5, 1, 1, 0);
      return TRUE;

    case CH_HL7_VALUE_ST:
    case CH_HL7_VALUE_TX:
    case CH_HL7_VALUE_FT:
    case CH_HL7_VALUE_OTHER:
    default:
      obs->value = get_joined (msg, pos, 5, "\n");
      return TRUE;
    }
}

static ChHl7Observation *
read_obx (ChHl7Message *msg,
          guint         pos,
          GError      **error)
{
  ChHl7Observation *obs = g_new0 (ChHl7Observation, 1);
  g_autofree char *set_id = get (msg, pos, 1, 1, 1, 0);
  g_autofree char *units_text = NULL;
  guint64 n;

  obs->comments = g_ptr_array_new_with_free_func (g_free);
  if (set_id != NULL && g_ascii_string_to_unsigned (set_id, 10, 0, G_MAXUINT, &n, NULL))
    obs->set_id = (guint) n;

  obs->value_type_name = get (msg, pos, 2, 1, 1, 0);
  obs->value_type = value_type_from_name (obs->value_type_name);
  read_code (msg, pos, 3, 1, &obs->observation);
  if (obs->observation.code == NULL && obs->observation.text == NULL)
    {
      g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_MISSING,
                   _("OBX-3 (segment %u): the observation identifier is missing"), pos + 1);
      observation_free (obs);
      return NULL;
    }
  obs->sub_id = get (msg, pos, 4, 1, 0, 0);

  if (obs->value_type_name == NULL && ch_hl7_message_get_n_repetitions (msg, pos, 5) > 0)
    {
      g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_MISSING,
                   _("OBX-2 (segment %u): the value type is missing but OBX-5 holds a value"),
                   pos + 1);
      observation_free (obs);
      return NULL;
    }
  if (!read_value (msg, pos, obs, error))
    {
      observation_free (obs);
      return NULL;
    }

  obs->units = get (msg, pos, 6, 1, 1, 0);
  units_text = get (msg, pos, 6, 1, 2, 0);
  if (obs->units == NULL)
    obs->units = g_steal_pointer (&units_text);
  obs->reference_range = get (msg, pos, 7, 1, 0, 0);
  obs->abnormal_flags = get_joined (msg, pos, 8, "~");
  obs->status = get (msg, pos, 11, 1, 1, 0);
  if (obs->status == NULL)
    {
      g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_MISSING,
                   _("OBX-11 (segment %u): the result status is missing"), pos + 1);
      observation_free (obs);
      return NULL;
    }
  obs->observed_at = get (msg, pos, 14, 1, 1, 0);
  return obs;
}

static gboolean
read_patient (ChHl7Message *msg,
              guint         pos,
              ChHl7Patient *patient,
              GError      **error)
{
  guint n = ch_hl7_message_get_n_repetitions (msg, pos, 3);

  patient->identifiers = g_ptr_array_new_with_free_func (identifier_free);
  for (guint r = 1; r <= n; r++)
    {
      g_autofree char *value = get (msg, pos, 3, r, 1, 0);
      ChHl7Identifier *id;

      if (value == NULL)
        continue;
      id = g_new0 (ChHl7Identifier, 1);
      id->id = g_steal_pointer (&value);
      id->assigning_authority = get (msg, pos, 3, r, 4, 1);
      id->type = get (msg, pos, 3, r, 5, 0);
      g_ptr_array_add (patient->identifiers, id);
    }
  if (patient->identifiers->len == 0)
    {
      g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_MISSING,
                   _("PID-3 (segment %u): the patient has no identifier"), pos + 1);
      return FALSE;
    }

  patient->family = get (msg, pos, 5, 1, 1, 1);
  patient->given = get (msg, pos, 5, 1, 2, 0);
  patient->middle = get (msg, pos, 5, 1, 3, 0);
  patient->birth_date = get (msg, pos, 7, 1, 1, 0);
  patient->sex = get (msg, pos, 8, 1, 1, 0);
  return TRUE;
}

ChHl7Oru *
ch_hl7_oru_from_message (ChHl7Message *msg,
                         GError      **error)
{
  g_autoptr(ChHl7Oru) oru = NULL;
  g_autofree char *type = NULL;
  g_autofree char *trigger = NULL;
  g_autofree char *orc_placer = NULL;
  g_autofree char *orc_filler = NULL;
  ChHl7PatientResult *patient = NULL;
  ChHl7Order *order = NULL;
  GPtrArray *comments = NULL; /* where an NTE goes, when it comes */
  guint n;

  g_return_val_if_fail (msg != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  type = get (msg, 0, 9, 1, 1, 0);
  trigger = get (msg, 0, 9, 1, 2, 0);
  if (g_strcmp0 (type, "ORU") != 0 || g_strcmp0 (trigger, "R01") != 0)
    {
      g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_WRONG_TYPE,
                   _("MSH-9: the message is of type %s^%s, not a laboratory result (ORU^R01)"),
                   type ? type : "", trigger ? trigger : "");
      return NULL;
    }

  oru = g_new0 (ChHl7Oru, 1);
  oru->control_id = get (msg, 0, 10, 1, 1, 0);
  oru->sending_application = get (msg, 0, 3, 1, 1, 0);
  oru->sending_facility = get (msg, 0, 4, 1, 1, 0);
  oru->message_time = get (msg, 0, 7, 1, 1, 0);
  oru->version = get (msg, 0, 12, 1, 1, 0);
  oru->patients = g_ptr_array_new_with_free_func (patient_result_free);

  n = ch_hl7_message_get_n_segments (msg);
  for (guint pos = 1; pos < n; pos++)
    {
      const char *name = ch_hl7_message_get_segment_name (msg, pos);

      if (strcmp (name, "PID") == 0)
        {
          if (patient != NULL && patient->orders->len == 0)
            {
              g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_MISSING,
                           _("PID (segment %u): the patient before it has no OBR"), pos + 1);
              return NULL;
            }
          patient = g_new0 (ChHl7PatientResult, 1);
          patient->orders = g_ptr_array_new_with_free_func (order_free);
          g_ptr_array_add (oru->patients, patient);
          order = NULL;
          comments = NULL;
          g_clear_pointer (&orc_placer, g_free);
          g_clear_pointer (&orc_filler, g_free);
          if (!read_patient (msg, pos, &patient->patient, error))
            return NULL;
        }
      else if (strcmp (name, "ORC") == 0)
        {
          g_free (orc_placer);
          g_free (orc_filler);
          orc_placer = get (msg, pos, 2, 1, 1, 0);
          orc_filler = get (msg, pos, 3, 1, 1, 0);
          comments = NULL;
        }
      else if (strcmp (name, "OBR") == 0)
        {
          if (patient == NULL)
            {
              g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_MISSING,
                           _("OBR (segment %u): no PID segment before it names the patient"),
                           pos + 1);
              return NULL;
            }
          order = g_new0 (ChHl7Order, 1);
          order->observations = g_ptr_array_new_with_free_func (observation_free);
          order->comments = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (patient->orders, order);

          order->placer_number = get (msg, pos, 2, 1, 1, 0);
          if (order->placer_number == NULL)
            order->placer_number = g_strdup (orc_placer);
          order->filler_number = get (msg, pos, 3, 1, 1, 0);
          if (order->filler_number == NULL)
            order->filler_number = g_strdup (orc_filler);
          g_clear_pointer (&orc_placer, g_free);
          g_clear_pointer (&orc_filler, g_free);

          read_code (msg, pos, 4, 1, &order->test);
          if (order->test.code == NULL && order->test.text == NULL)
            {
              g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_MISSING,
                           _("OBR-4 (segment %u): the test (universal service identifier) is missing"),
                           pos + 1);
              return NULL;
            }
          order->observed_at = get (msg, pos, 7, 1, 1, 0);
          order->status_changed_at = get (msg, pos, 22, 1, 1, 0);
          order->result_status = get (msg, pos, 25, 1, 1, 0);
          comments = order->comments;
        }
      else if (strcmp (name, "OBX") == 0)
        {
          ChHl7Observation *obs;

          if (order == NULL)
            {
              g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_MISSING,
                           _("OBX (segment %u): no OBR segment before it names the test"),
                           pos + 1);
              return NULL;
            }
          obs = read_obx (msg, pos, error);
          if (obs == NULL)
            return NULL;
          g_ptr_array_add (order->observations, obs);
          comments = obs->comments;
        }
      else if (strcmp (name, "NTE") == 0)
        {
          char *text = get_joined (msg, pos, 3, "\n");

          if (comments != NULL && text != NULL)
            g_ptr_array_add (comments, text);
          else
            g_free (text);
        }
      else if (name[0] != 'Z')
        {
          /* PD1, PV1, SPM, TQ1, CTD …: nothing to keep, but an NTE after
           * them is about them. */
          comments = NULL;
        }
    }

  if (patient == NULL)
    {
      g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_MISSING,
                   _("The ORU^R01 message has no PID segment"));
      return NULL;
    }
  if (patient->orders->len == 0)
    {
      g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_MISSING,
                   _("The ORU^R01 message has no OBR segment after its last PID"));
      return NULL;
    }

  return g_steal_pointer (&oru);
}
