/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-dcm"

/* The only C++ in Charta: DCMTK behind the C API of ch-dcm.h. Every entry
 * point catches every exception, so none unwinds into C. */

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dccodec.h"
#include "dcmtk/dcmdata/dcistrmb.h"
#include "dcmtk/dcmdata/dcspchrs.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmimgle/dcmimage.h"
#include "dcmtk/dcmimgle/dipixel.h"
#include "dcmtk/dcmimage/diregist.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/oflog/oflog.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ch-dcm.h"
#include "ch-dcm-private.h"

G_DEFINE_QUARK (ch-dcm-error-quark, ch_dcm_error)

namespace {

struct Window
{
  double center;
  double width;
  std::string explanation;
  bool has_explanation;
};

}

struct _ChDcm
{
  DcmFileFormat file;
  E_TransferSyntax xfer = EXS_Unknown;
  ChDcmInfo info {};

  /* Storage behind the pointers in info. */
  std::vector<std::string> strings;
  std::vector<Window> windows;
  std::vector<ChDcmWindow> c_windows;
  bool has_modality_lut_sequence = false;
  bool fixed_word_order = false;
  DcmSpecificCharacterSet *converter = nullptr;  /* NULL for ASCII and UTF-8 */

  DicomImage *display = nullptr;  /* decoded lazily */
  DicomImage *stored = nullptr;   /* without the modality transform, for raw values */

  /* Data opened from memory sits in an anonymous in-memory file (never on
   * disk), so that DCMTK reads large values from it only when needed, as
   * from a file, instead of allocating whatever a length field claims. */
  int memory_fd = -1;

  ~_ChDcm ()
  {
    delete display;
    delete stored;
    delete converter;
    if (memory_fd >= 0)
      close (memory_fd);
  }
};

namespace {

void fix_big_endian_32 (ChDcm *dcm);

std::once_flag init_once;
bool dictionary_loaded = false;

void
init_dcmtk ()
{
  std::call_once (init_once, [] {
    /* DCMTK's own log would write to stderr; its errors reach us as
     * conditions and statuses anyway. */
    OFLog::configure (OFLogger::OFF_LOG_LEVEL);
    /* Elements some writers store as UN (Modality, say) read as what the
     * dictionary says they are. */
    dcmEnableUnknownVRConversion.set (OFTrue);
    DJDecoderRegistration::registerCodecs ();
    DJLSDecoderRegistration::registerCodecs ();
    DcmRLEDecoderRegistration::registerCodecs ();
    dictionary_loaded = dcmDataDict.isDictionaryLoaded ();
  });
}

#define set_error(error, code, ...) \
  ch_dcm_set_error ((error), CH_DCM_ERROR, (gint) (code), __VA_ARGS__)

void
set_exception_error (GError **error)
{
  ch_dcm_set_exception_error (error, CH_DCM_ERROR, CH_DCM_ERROR_DECODE,
                              "Out of memory while reading the DICOM data");
}

typedef std::vector<std::pair<const char **, size_t>> Pending;

/* Keeps @value, valid UTF-8 and trimmed, for @field to point at once every
 * string is in (the vector moves while it grows). */
void
keep_string (ChDcm *dcm, Pending &pending, const char **field, const OFString &value)
{
  g_autofree char *valid = g_utf8_make_valid (value.c_str (), (gssize) value.length ());

  g_strstrip (valid);
  if (*valid == '\0')
    return;
  pending.emplace_back (field, dcm->strings.size ());
  dcm->strings.emplace_back (valid);
}

/* Reads a string element whole (every value). */
void
get_string (ChDcm *dcm, DcmItem *item, const DcmTagKey &key, Pending &pending, const char **field)
{
  OFString value;

  if (item->findAndGetOFStringArray (key, value).bad ())
    return;
  if (dcm->converter != nullptr)
    {
      OFString converted;

      if (dcm->converter->convertString (value, converted).good ())
        value = converted;
    }
  keep_string (dcm, pending, field, value);
}

guint
get_uint16 (DcmItem *item, const DcmTagKey &key)
{
  Uint16 value = 0;

  if (item->findAndGetUint16 (key, value).bad ())
    return 0;
  return value;
}

gboolean
get_int (DcmItem *item, const DcmTagKey &key, gint *out)
{
  Sint32 value = 0;

  if (item->findAndGetSint32 (key, value).bad ())
    return FALSE;
  *out = value;
  return TRUE;
}

gboolean
get_double (DcmItem *item, const DcmTagKey &key, unsigned long pos, double *out)
{
  Float64 value = 0;

  if (item->findAndGetFloat64 (key, value, pos).bad () || !std::isfinite (value))
    return FALSE;
  *out = value;
  return TRUE;
}

void
read_info (ChDcm *dcm)
{
  DcmDataset *ds = dcm->file.getDataset ();
  DcmMetaInfo *meta = dcm->file.getMetaInfo ();
  ChDcmInfo *info = &dcm->info;
  Pending pending;
  OFString ts_uid;
  gint frames = 1;

  /* Text in another character set becomes UTF-8 where DCMTK can convert it
   * (string by string: converting the whole dataset in place upsets the
   * JPEG decoders); what it cannot is made valid UTF-8 below. */
  {
    OFString charset;

    if (ds->findAndGetOFStringArray (DCM_SpecificCharacterSet, charset).good () &&
        !charset.empty () && charset != "ISO_IR 192" && charset != "ISO_IR 6")
      {
        dcm->converter = new DcmSpecificCharacterSet ();
        if (dcm->converter->selectCharacterSet (charset).bad ())
          {
            delete dcm->converter;
            dcm->converter = nullptr;
          }
      }
  }

  dcm->xfer = ds->getOriginalXfer ();

  get_string (dcm, ds, DCM_PatientName, pending, &info->patient_name);
  get_string (dcm, ds, DCM_PatientID, pending, &info->patient_id);
  get_string (dcm, ds, DCM_PatientBirthDate, pending, &info->patient_birth_date);
  get_string (dcm, ds, DCM_PatientSex, pending, &info->patient_sex);
  get_string (dcm, ds, DCM_StudyInstanceUID, pending, &info->study_instance_uid);
  get_string (dcm, ds, DCM_SeriesInstanceUID, pending, &info->series_instance_uid);
  get_string (dcm, ds, DCM_SOPInstanceUID, pending, &info->sop_instance_uid);
  get_string (dcm, ds, DCM_SOPClassUID, pending, &info->sop_class_uid);
  get_string (dcm, ds, DCM_StudyDate, pending, &info->study_date);
  get_string (dcm, ds, DCM_StudyTime, pending, &info->study_time);
  get_string (dcm, ds, DCM_StudyDescription, pending, &info->study_description);
  get_string (dcm, ds, DCM_SeriesDescription, pending, &info->series_description);
  get_string (dcm, ds, DCM_Modality, pending, &info->modality);
  get_string (dcm, ds, DCM_PhotometricInterpretation, pending,
              &info->photometric_interpretation);

  info->has_series_number = get_int (ds, DCM_SeriesNumber, &info->series_number);
  info->has_instance_number = get_int (ds, DCM_InstanceNumber, &info->instance_number);

  info->has_pixel_data = ds->tagExists (DCM_PixelData);
  info->rows = get_uint16 (ds, DCM_Rows);
  info->columns = get_uint16 (ds, DCM_Columns);
  if (get_int (ds, DCM_NumberOfFrames, &frames) && frames > 0)
    info->frames = (guint) frames;
  else
    info->frames = 1;
  info->bits_allocated = get_uint16 (ds, DCM_BitsAllocated);
  info->bits_stored = get_uint16 (ds, DCM_BitsStored);
  info->samples_per_pixel = get_uint16 (ds, DCM_SamplesPerPixel);
  info->pixel_representation = get_uint16 (ds, DCM_PixelRepresentation);

  info->has_pixel_spacing = get_double (ds, DCM_PixelSpacing, 0, &info->pixel_spacing[0]) &&
                            get_double (ds, DCM_PixelSpacing, 1, &info->pixel_spacing[1]);
  info->has_slice_location = get_double (ds, DCM_SliceLocation, 0, &info->slice_location);
  info->has_image_position = get_double (ds, DCM_ImagePositionPatient, 0, &info->image_position[0]) &&
                             get_double (ds, DCM_ImagePositionPatient, 1, &info->image_position[1]) &&
                             get_double (ds, DCM_ImagePositionPatient, 2, &info->image_position[2]);
  if (!get_double (ds, DCM_RescaleSlope, 0, &info->rescale_slope) || info->rescale_slope == 0)
    info->rescale_slope = 1;
  if (!get_double (ds, DCM_RescaleIntercept, 0, &info->rescale_intercept))
    info->rescale_intercept = 0;
  dcm->has_modality_lut_sequence = ds->tagExists (DCM_ModalityLUTSequence);

  {
    DcmElement *centers = nullptr;
    DcmElement *widths = nullptr;

    if (ds->findAndGetElement (DCM_WindowCenter, centers).good () &&
        ds->findAndGetElement (DCM_WindowWidth, widths).good ())
      {
        unsigned long n = MIN (centers->getVM (), widths->getVM ());

        for (unsigned long i = 0; i < n && i < 64; i++)
          {
            Window w {};
            OFString explanation;

            if (!get_double (ds, DCM_WindowCenter, i, &w.center) ||
                !get_double (ds, DCM_WindowWidth, i, &w.width) || w.width <= 0)
              continue;
            if (ds->findAndGetOFString (DCM_WindowCenterWidthExplanation, explanation, i).good ())
              {
                g_autofree char *valid = g_utf8_make_valid (explanation.c_str (),
                                                            (gssize) explanation.length ());

                w.explanation = g_strstrip (valid);
                w.has_explanation = !w.explanation.empty ();
              }
            dcm->windows.push_back (w);
          }
      }
  }

  meta->findAndGetOFString (DCM_TransferSyntaxUID, ts_uid);
  if (ts_uid.empty () && dcm->xfer != EXS_Unknown)
    ts_uid = DcmXfer (dcm->xfer).getXferID ();
  keep_string (dcm, pending, &info->transfer_syntax_uid, ts_uid);
  info->transfer_syntax_name = dcm->xfer != EXS_Unknown ? DcmXfer (dcm->xfer).getXferName ()
                                                        : "Unknown transfer syntax";

  /* The vectors are complete: point into them. */
  for (auto &p : pending)
    *p.first = dcm->strings[p.second].c_str ();
  for (auto &w : dcm->windows)
    dcm->c_windows.push_back ({ w.center, w.width,
                                w.has_explanation ? w.explanation.c_str () : nullptr });
  info->n_windows = (guint) dcm->c_windows.size ();
  info->windows = info->n_windows > 0 ? dcm->c_windows.data () : nullptr;
}

/* Whether every value's length field fits in the @size bytes it was read
 * from: a value not yet loaded is read in one allocation of that length,
 * so a damaged or hostile length (gigabytes in a small file) is refused
 * before anything asks for it. */
bool
lengths_fit (DcmFileFormat &file, guint64 size, guint64 *out_length)
{
  DcmStack stack;

  while (file.nextObject (stack, OFTrue).good ())
    {
      DcmObject *object = stack.top ();
      Uint32 length;

      if (object == nullptr || !object->isLeaf ())
        continue;
      length = object->getLength ();
      if (length != DCM_UndefinedLength && length > size)
        {
          *out_length = length;
          return false;
        }
    }
  return true;
}

ChDcm *
finish_open (ChDcm *dcm, OFCondition status, guint64 size, const char *what, GError **error)
{
  guint64 length = 0;

  if (status.bad ())
    {
      set_error (error, CH_DCM_ERROR_INVALID, "%s is not a readable DICOM file: %s", what,
                 status.text ());
      delete dcm;
      return nullptr;
    }
  /* A deflated data set inflates to at most 1032 times its size (zlib's
   * limit); its values are measured against that. */
  if (dcm->file.getDataset () != nullptr &&
      dcm->file.getDataset ()->getOriginalXfer () == EXS_DeflatedLittleEndianExplicit)
    size *= 1032;
  if (!lengths_fit (dcm->file, size, &length))
    {
      set_error (error, CH_DCM_ERROR_INVALID,
                 "%s is not a readable DICOM file: a value claims %" G_GUINT64_FORMAT
                 " bytes, more than the %" G_GUINT64_FORMAT " bytes of the file", what,
                 length, size);
      delete dcm;
      return nullptr;
    }
  read_info (dcm);
  return dcm;
}

gboolean
check_loaded (GError **error)
{
  init_dcmtk ();
  if (!dictionary_loaded)
    {
      set_error (error, CH_DCM_ERROR_IO,
                 "The DICOM data dictionary could not be loaded (is DCMDICTPATH right?)");
      return FALSE;
    }
  return TRUE;
}

gboolean
check_decodable (ChDcm *dcm, GError **error)
{
  const ChDcmInfo *info = &dcm->info;
  guint64 bytes;

  if (!info->has_pixel_data)
    {
      set_error (error, CH_DCM_ERROR_NO_PIXELS, "The DICOM file holds no image (no pixel data)");
      return FALSE;
    }
  if (info->rows == 0 || info->columns == 0)
    {
      set_error (error, CH_DCM_ERROR_INVALID, "The DICOM image has no rows or columns");
      return FALSE;
    }
  if (info->bits_allocated == 0 || info->bits_allocated > 32 || info->samples_per_pixel == 0 ||
      info->samples_per_pixel > 4)
    {
      set_error (error, CH_DCM_ERROR_UNSUPPORTED,
                 "Unsupported pixel format (%u bits allocated, %u samples a pixel)",
                 info->bits_allocated, info->samples_per_pixel);
      return FALSE;
    }

  /* What decoding would claim, before anything is allocated: the decoders
   * trust the header, so the header is checked here. */
  bytes = (guint64) info->rows * info->columns * info->frames * info->samples_per_pixel *
          ((info->bits_allocated + 7) / 8);
  if (bytes > CH_DCM_MAX_PIXEL_BYTES)
    {
      set_error (error, CH_DCM_ERROR_TOO_LARGE,
                 "The DICOM image declares %" G_GUINT64_FORMAT " bytes of pixel data "
                 "(%u × %u, %u frames), more than the %" G_GUINT64_FORMAT " MiB one image may use",
                 bytes, info->columns, info->rows, info->frames,
                 CH_DCM_MAX_PIXEL_BYTES >> 20);
      return FALSE;
    }

  if (dcm->xfer == EXS_Unknown)
    {
      set_error (error, CH_DCM_ERROR_UNSUPPORTED,
                 "The DICOM file's transfer syntax %s is unknown here",
                 info->transfer_syntax_uid ? info->transfer_syntax_uid : "(none)");
      return FALSE;
    }
  if (DcmXfer (dcm->xfer).isEncapsulated () &&
      !DcmCodecList::canChangeCoding (dcm->xfer, EXS_LittleEndianExplicit))
    {
      set_error (error, CH_DCM_ERROR_UNSUPPORTED,
                 "The DICOM image is compressed as “%s” (%s), which Charta cannot decode",
                 info->transfer_syntax_name,
                 info->transfer_syntax_uid ? info->transfer_syntax_uid : "");
      return FALSE;
    }
  return TRUE;
}

DicomImage *
load_image (ChDcm *dcm, bool stored, GError **error)
{
  DicomImage **slot = stored ? &dcm->stored : &dcm->display;
  DicomImage *image;

  if (*slot != nullptr)
    return *slot;
  if (!check_decodable (dcm, error))
    return nullptr;
  fix_big_endian_32 (dcm);

  /* Decompress once, here, where the failure can be told apart; both images
   * then read the uncompressed representation. */
  if (DcmXfer (dcm->xfer).isEncapsulated ())
    {
      DcmDataset *ds = dcm->file.getDataset ();
      OFCondition status = ds->chooseRepresentation (EXS_LittleEndianExplicit, nullptr);

      if (status.bad () || !ds->canWriteXfer (EXS_LittleEndianExplicit))
        {
          set_error (error, CH_DCM_ERROR_DECODE,
                     "The DICOM image (%s) could not be decompressed: %s",
                     dcm->info.transfer_syntax_name, status.bad () ? status.text () : "damaged data");
          return nullptr;
        }
    }

  image = new DicomImage (&dcm->file, DcmXfer (dcm->xfer).isEncapsulated () ? EXS_LittleEndianExplicit : dcm->xfer,
                          stored ? CIF_IgnoreModalityTransformation : 0);
  if (image->getStatus () != EIS_Normal)
    {
      set_error (error, CH_DCM_ERROR_DECODE, "The DICOM image could not be decoded: %s",
                 DicomImage::getString (image->getStatus ()));
      delete image;
      return nullptr;
    }
  *slot = image;
  return image;
}

gboolean
check_frame (ChDcm *dcm, DicomImage *image, guint frame, GError **error)
{
  if (frame >= image->getFrameCount ())
    {
      set_error (error, CH_DCM_ERROR_FRAME, "The DICOM image has %lu frames; there is no frame %u",
                 image->getFrameCount (), frame + 1);
      return FALSE;
    }
  return TRUE;
}

template <typename T>
void
copy_values (const void *data, gsize offset, gsize n, double *out)
{
  const T *p = static_cast<const T *> (data) + offset;

  for (gsize i = 0; i < n; i++)
    out[i] = (double) p[i];
}

/* Copies @n values from @offset of a DCMTK plane of representation @rep. */
gboolean
copy_plane (EP_Representation rep, const void *data, gsize offset, gsize n, double *out)
{
  switch (rep)
    {
    case EPR_Uint8: copy_values<Uint8> (data, offset, n, out); return TRUE;
    case EPR_Sint8: copy_values<Sint8> (data, offset, n, out); return TRUE;
    case EPR_Uint16: copy_values<Uint16> (data, offset, n, out); return TRUE;
    case EPR_Sint16: copy_values<Sint16> (data, offset, n, out); return TRUE;
    case EPR_Uint32: copy_values<Uint32> (data, offset, n, out); return TRUE;
    case EPR_Sint32: copy_values<Sint32> (data, offset, n, out); return TRUE;
    default: return FALSE;
    }
}

/* DCMTK 3.6.7 keeps big-endian OW pixel data as 16-bit words in host order,
 * which puts the halves of 32-bit samples the wrong way round on a
 * little-endian host: swap them back once, before decoding. */
void
fix_big_endian_32 (ChDcm *dcm)
{
  DcmElement *element = nullptr;
  Uint16 *words = nullptr;
  unsigned long n;

  if (dcm->fixed_word_order || dcm->info.bits_allocated != 32 ||
      (dcm->xfer != EXS_BigEndianExplicit && dcm->xfer != EXS_BigEndianImplicit))
    return;
  dcm->fixed_word_order = true;
  if (G_BYTE_ORDER != G_LITTLE_ENDIAN)
    return;
  if (dcm->file.getDataset ()->findAndGetElement (DCM_PixelData, element).bad () ||
      element->getVR () != EVR_OW || element->getUint16Array (words).bad () || words == nullptr)
    return;
  n = element->getLength () / 2;
  for (unsigned long i = 0; i + 1 < n; i += 2)
    {
      Uint16 t = words[i];

      words[i] = words[i + 1];
      words[i + 1] = t;
    }
}

} /* namespace */

void
ch_dcm_set_error (GError **error, GQuark domain, gint code, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (domain, code, format, args));
  va_end (args);
}

void
ch_dcm_set_exception_error (GError **error, GQuark domain, gint code, const char *out_of_memory)
{
  try
    {
      throw;
    }
  catch (const std::bad_alloc &)
    {
      ch_dcm_set_error (error, domain, code, "%s", out_of_memory);
    }
  catch (const std::exception &e)
    {
      ch_dcm_set_error (error, domain, code, "DICOM toolkit failure: %s", e.what ());
    }
  catch (...)
    {
      ch_dcm_set_error (error, domain, code, "DICOM toolkit failure");
    }
}

extern "C" {

ChDcm *
ch_dcm_open_file (const char *path, GError **error)
{
  g_return_val_if_fail (path != nullptr, nullptr);

  try
    {
      g_autofree char *display = g_filename_display_name (path);
      ChDcm *dcm;

      if (!check_loaded (error))
        return nullptr;
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          set_error (error, CH_DCM_ERROR_IO, "“%s” is not a readable file", display);
          return nullptr;
        }
      struct stat st;

      if (stat (path, &st) != 0)
        {
          set_error (error, CH_DCM_ERROR_IO, "“%s” is not a readable file", display);
          return nullptr;
        }
      dcm = new ChDcm ();
      /* Large values (the pixel data) are read from the file when needed. */
      return finish_open (dcm, dcm->file.loadFile (path, EXS_Unknown, EGL_noChange,
                                                   DCM_MaxReadLength, ERM_autoDetect),
                          (guint64) st.st_size, display, error);
    }
  catch (...)
    {
      set_exception_error (error);
      return nullptr;
    }
}

ChDcm *
ch_dcm_open_memory (const void *data, gsize size, GError **error)
{
  g_return_val_if_fail (data != nullptr || size == 0, nullptr);

  try
    {
      ChDcm *dcm;
      OFCondition status;

      if (!check_loaded (error))
        return nullptr;
      if (size > G_MAXUINT32)
        {
          set_error (error, CH_DCM_ERROR_TOO_LARGE, "The DICOM data is too large");
          return nullptr;
        }

      dcm = new ChDcm ();
      dcm->memory_fd = memfd_create ("charta-dicom", MFD_CLOEXEC);
      if (dcm->memory_fd >= 0)
        {
          /* A copy in memory, read like a file (see _ChDcm). */
          const char *p = static_cast<const char *> (data);
          gsize left = size;
          g_autofree char *path = NULL;

          while (left > 0)
            {
              ssize_t n = write (dcm->memory_fd, p, left);

              if (n < 0 && errno == EINTR)
                continue;
              if (n <= 0)
                {
                  set_error (error, CH_DCM_ERROR_IO, "The DICOM data could not be held in memory");
                  delete dcm;
                  return nullptr;
                }
              p += n;
              left -= (gsize) n;
            }
          path = g_strdup_printf ("/proc/self/fd/%d", dcm->memory_fd);
          status = dcm->file.loadFile (path, EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                                       ERM_autoDetect);
        }
      else
        {
          set_error (error, CH_DCM_ERROR_IO, "The DICOM data could not be held in memory: %s",
                     g_strerror (errno));
          delete dcm;
          return nullptr;
        }
      return finish_open (dcm, status, size, "The data", error);
    }
  catch (...)
    {
      set_exception_error (error);
      return nullptr;
    }
}

void
ch_dcm_free (ChDcm *dcm)
{
  try
    {
      delete dcm;
    }
  catch (...)
    {
    }
}

const ChDcmInfo *
ch_dcm_get_info (ChDcm *dcm)
{
  g_return_val_if_fail (dcm != nullptr, nullptr);
  return &dcm->info;
}

gboolean
ch_dcm_check_decodable (ChDcm *dcm, GError **error)
{
  g_return_val_if_fail (dcm != nullptr, FALSE);

  try
    {
      return check_decodable (dcm, error);
    }
  catch (...)
    {
      set_exception_error (error);
      return FALSE;
    }
}

guint8 *
ch_dcm_render_frame (ChDcm    *dcm,
                     guint     frame,
                     double    center,
                     double    width,
                     gboolean  use_preset,
                     guint    *out_width,
                     guint    *out_height,
                     guint    *out_channels,
                     GError  **error)
{
  g_return_val_if_fail (dcm != nullptr, nullptr);

  try
    {
      DicomImage *image = load_image (dcm, false, error);
      guint channels;
      unsigned long size;
      guint8 *pixels;

      if (image == nullptr || !check_frame (dcm, image, frame, error))
        return nullptr;

      if (image->isMonochrome ())
        {
          channels = 1;
          if (use_preset && image->getWindowCount () > 0)
            image->setWindow (0);
          else if (!use_preset && width > 0 && std::isfinite (center) && std::isfinite (width))
            image->setWindow (center, width);
          else
            image->setMinMaxWindow (0);
        }
      else
        channels = 3;

      size = image->getOutputDataSize (8);
      if (size != (unsigned long) image->getWidth () * image->getHeight () * channels)
        {
          set_error (error, CH_DCM_ERROR_UNSUPPORTED, "Unexpected DICOM output size");
          return nullptr;
        }
      pixels = static_cast<guint8 *> (g_try_malloc (size));
      if (pixels == nullptr)
        {
          set_error (error, CH_DCM_ERROR_DECODE, "Out of memory while rendering the DICOM image");
          return nullptr;
        }
      if (!image->getOutputData (pixels, size, 8, frame, 0))
        {
          g_free (pixels);
          set_error (error, CH_DCM_ERROR_DECODE, "The DICOM frame %u could not be rendered",
                     frame + 1);
          return nullptr;
        }
      if (out_width)
        *out_width = (guint) image->getWidth ();
      if (out_height)
        *out_height = (guint) image->getHeight ();
      if (out_channels)
        *out_channels = channels;
      return pixels;
    }
  catch (...)
    {
      set_exception_error (error);
      return nullptr;
    }
}

void *
ch_dcm_get_frame_raw (ChDcm        *dcm,
                      guint         frame,
                      ChDcmRawType *out_type,
                      gsize        *out_n_values,
                      GError      **error)
{
  g_return_val_if_fail (dcm != nullptr, nullptr);

  try
    {
      const ChDcmInfo *info = &dcm->info;
      /* Rescale is applied here, in double, as the standard states it;
       * a modality LUT sequence is left to DCMTK. */
      bool own_rescale = !dcm->has_modality_lut_sequence;
      DicomImage *image;
      const DiPixel *inter;
      gsize n_pixels, offset, planes;
      double *values;

      if (!check_decodable (dcm, error))
        return nullptr;
      image = load_image (dcm, own_rescale, error);
      if (image == nullptr || !check_frame (dcm, image, frame, error))
        return nullptr;
      inter = image->getInterData ();
      if (inter == nullptr)
        {
          set_error (error, CH_DCM_ERROR_DECODE, "The DICOM pixel values are not available");
          return nullptr;
        }

      n_pixels = (gsize) image->getWidth () * image->getHeight ();
      offset = n_pixels * frame;
      planes = image->isMonochrome () ? 1 : 3;
      if (inter->getPlanes () != (int) planes || inter->getCount () < offset + n_pixels)
        {
          set_error (error, CH_DCM_ERROR_DECODE, "The DICOM pixel values are incomplete");
          return nullptr;
        }

      values = static_cast<double *> (g_try_malloc (n_pixels * planes * sizeof (double)));
      if (values == nullptr)
        {
          set_error (error, CH_DCM_ERROR_DECODE, "Out of memory while reading the DICOM image");
          return nullptr;
        }

      if (planes == 1)
        {
          if (!copy_plane (inter->getRepresentation (), inter->getData (), offset, n_pixels, values))
            goto unsupported;
          if (own_rescale)
            for (gsize i = 0; i < n_pixels; i++)
              values[i] = values[i] * info->rescale_slope + info->rescale_intercept;
        }
      else
        {
          const void *const *data = static_cast<const void *const *> (inter->getData ());
          g_autofree double *plane = g_new (double, n_pixels);

          for (gsize p = 0; p < planes; p++)
            {
              if (data[p] == nullptr ||
                  !copy_plane (inter->getRepresentation (), data[p], offset, n_pixels, plane))
                goto unsupported;
              for (gsize i = 0; i < n_pixels; i++)
                values[i * planes + p] = plane[i];
            }
        }

      *out_n_values = n_pixels * planes;
      /* Integers when every value is one that fits. */
      for (gsize i = 0; i < n_pixels * planes; i++)
        if (values[i] != std::floor (values[i]) || values[i] < G_MININT32 || values[i] > G_MAXINT32)
          {
            *out_type = CH_DCM_RAW_FLOAT64;
            return values;
          }
      {
        gint32 *integers = static_cast<gint32 *> (g_try_malloc (n_pixels * planes * sizeof (gint32)));

        if (integers == nullptr)
          {
            *out_type = CH_DCM_RAW_FLOAT64;
            return values;
          }
        for (gsize i = 0; i < n_pixels * planes; i++)
          integers[i] = (gint32) values[i];
        g_free (values);
        *out_type = CH_DCM_RAW_INT32;
        return integers;
      }

    unsupported:
      g_free (values);
      set_error (error, CH_DCM_ERROR_UNSUPPORTED, "Unsupported DICOM pixel representation");
      return nullptr;
    }
  catch (...)
    {
      set_exception_error (error);
      return nullptr;
    }
}

} /* extern "C" */
