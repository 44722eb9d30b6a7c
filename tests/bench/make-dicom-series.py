#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the DICOM files bench-dicom reads: a 512×512 16-bit CT slice
(slice.dcm, with a soft-tissue window preset, rescale to HU and pixel
spacing) and a series of N such slices (series/NNNN.dcm: one study and
series UID, instance numbers 1…N, slice locations 2.5 mm apart), each a
synthetic phantom: a body ellipse of soft tissue with bone, air and noise.

Usage: make-dicom-series.py OUTDIR [N_SLICES]
Needs pydicom and numpy (Debian: python3-pydicom, python3-numpy).
"""

import os
import sys

import numpy
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2'
SIZE = 512


def phantom(z, rng):
    y, x = numpy.mgrid[0:SIZE, 0:SIZE].astype(numpy.float32)
    cx, cy = SIZE / 2, SIZE / 2
    hu = numpy.full((SIZE, SIZE), -1000.0, dtype=numpy.float32)       # air
    body = ((x - cx) / 220) ** 2 + ((y - cy) / (170 + 10 * numpy.sin(z / 20))) ** 2 <= 1
    hu[body] = 40                                                        # soft tissue
    lungs = ((((x - cx + 95) / 70) ** 2 + ((y - cy) / 100) ** 2 <= 1) |
             (((x - cx - 95) / 70) ** 2 + ((y - cy) / 100) ** 2 <= 1))
    hu[lungs & body] = -850
    spine = ((x - cx) / 30) ** 2 + ((y - cy - 120) / 30) ** 2 <= 1
    hu[spine] = 700 + 5 * z % 300                                        # bone
    hu += rng.normal(0, 12, hu.shape).astype(numpy.float32)              # noise
    return numpy.clip(numpy.round(hu + 1024), 0, 4095).astype(numpy.uint16)


def write(path, pixels, instance, study_uid, series_uid, location):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CT_IMAGE_STORAGE
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian

    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = CT_IMAGE_STORAGE
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyDate = '20250301'
    ds.Modality = 'CT'
    ds.SeriesDescription = 'Bench phantom'
    ds.PatientName = 'Bench^Phantom'
    ds.PatientID = 'BENCH-1'
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.SeriesNumber = 1
    ds.InstanceNumber = instance
    ds.ImagePositionPatient = [-128.0, -128.0, location]
    ds.SliceLocation = location
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = 'MONOCHROME2'
    ds.Rows = SIZE
    ds.Columns = SIZE
    ds.PixelSpacing = [0.5, 0.5]
    ds.BitsAllocated = 16
    ds.BitsStored = 12
    ds.HighBit = 11
    ds.PixelRepresentation = 0
    ds.WindowCenter = 40
    ds.WindowWidth = 400
    ds.RescaleIntercept = -1024
    ds.RescaleSlope = 1
    ds.PixelData = pixels.tobytes()
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.save_as(path, write_like_original=False)


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    rng = numpy.random.default_rng(42)
    os.makedirs(os.path.join(out, 'series'), exist_ok=True)
    study_uid, series_uid = generate_uid(), generate_uid()
    write(os.path.join(out, 'slice.dcm'), phantom(0, rng), 1, generate_uid(), generate_uid(), 0.0)
    for i in range(n):
        write(os.path.join(out, 'series', '%04d.dcm' % (i + 1)), phantom(i, rng), i + 1,
              study_uid, series_uid, -2.5 * i)
    return 0


if __name__ == '__main__':
    sys.exit(main())
