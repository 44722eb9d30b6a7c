/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "ch-fuzz.h"
#include "ch-dcm.h"

/* Parse, check, render and read the raw values of the first frames, as the
 * DICOM viewer does; every failure must be a GError, never a crash, and no
 * image may make the shim allocate past its cap. */
void
ch_fuzz_dcm (const guint8 *data,
             gsize         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChDcm) dcm = ch_dcm_open_memory (data, size, &error);
  const ChDcmInfo *info;

  if (dcm == NULL)
    return;

  info = ch_dcm_get_info (dcm);
  if (!ch_dcm_check_decodable (dcm, &error))
    return;

  for (guint frame = 0; frame < MIN (info->frames, 3u); frame++)
    {
      guint width = 0, height = 0, channels = 0;
      ChDcmRawType type;
      gsize n_values = 0;
      guint8 *pixels;
      void *raw;

      pixels = ch_dcm_render_frame (dcm, frame, 0, 0, TRUE, &width, &height, &channels, NULL);
      if (pixels != NULL)
        {
          /* Touch the whole buffer: a short one shows up under ASan. */
          static volatile guint sum;

          for (gsize i = 0; i < (gsize) width * height * channels; i++)
            sum = sum + pixels[i];
          g_free (pixels);
        }
      raw = ch_dcm_get_frame_raw (dcm, frame, &type, &n_values, NULL);
      g_free (raw);
    }
}
