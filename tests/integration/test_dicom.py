#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""charta-admin dicom info / render against what pydicom reads from the DICOM
files Debian's python3-pydicom ships, and against damaged copies of them.

Usage: test_dicom.py CHARTA_ADMIN [unittest arguments…]
"""

import glob
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import unittest
import warnings

import numpy
import pydicom
from pydicom.pixel_data_handlers.util import apply_modality_lut, convert_color_space

ADMIN = None
TEST_FILES = os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files')

JPEG2000_SYNTAXES = ('1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91')
LOSSY_SYNTAXES = ('1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51')

# Files DCMTK refuses, with why; each must still fail with a message, never crash.
REFUSED = {
    'MR_truncated.dcm': 'its pixel data is cut short',
    'SC_rgb_jpeg.dcm': 'a bogus element (4544,4952) after the pixel data claims 1.3 GB',
    'meta_missing_tsyntax.dcm': 'no Rows or Columns',
    'nested_priv_SQ.dcm': 'no Rows or Columns',
}


def admin(*args, timeout=60):
    return subprocess.run([ADMIN] + list(args), capture_output=True, text=True,
                          timeout=timeout)


def pixel_files():
    """(path, dataset) of every test file with pixel data pydicom can parse."""
    out = []
    for path in sorted(glob.glob(os.path.join(TEST_FILES, '*.dcm'))):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                ds = pydicom.dcmread(path, force=True)
        except Exception:  # noqa: BLE001 — not a pixel file we can compare
            continue
        if 'PixelData' in ds:
            out.append((path, ds))
    return out


def png_size(path):
    with open(path, 'rb') as f:
        head = f.read(24)
    assert head[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    return struct.unpack('>II', head[16:24])


def syntax(ds):
    meta = getattr(ds, 'file_meta', None)
    return str(meta.TransferSyntaxUID) if meta is not None and 'TransferSyntaxUID' in meta else ''


class DicomTests(unittest.TestCase):
    files = None

    @classmethod
    def setUpClass(cls):
        cls.files = pixel_files()
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def out(self, name):
        return os.path.join(self.tmp.name, name)

    def test_help_says_no_login(self):
        for command in ('info', 'render'):
            r = admin('dicom', command, '--help')
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn('No practice or login is needed', r.stdout)
            self.assertNotIn('--password-file', r.stdout)

    def test_usage(self):
        ct = os.path.join(TEST_FILES, 'CT_small.dcm')
        self.assertEqual(admin('dicom', 'render', ct).returncode, 2)
        self.assertEqual(admin('dicom', 'render', ct, '--png', self.out('u.png'),
                               '--window', '40').returncode, 2)
        self.assertEqual(admin('dicom', 'render', ct, '--png', self.out('u.png'),
                               '--frame', '0').returncode, 2)
        r = admin('dicom', 'render', ct, '--png', self.out('u.png'), '--frame', '2')
        self.assertEqual(r.returncode, 1)
        self.assertIn('no frame 2', r.stderr)
        r = admin('dicom', 'info', self.out('missing.dcm'))
        self.assertEqual(r.returncode, 1)
        self.assertIn('missing.dcm', r.stderr)

    def test_info_matches_pydicom(self):
        checked = 0
        for path, ds in self.files:
            name = os.path.basename(path)
            with self.subTest(file=name):
                r = admin('dicom', 'info', path)
                if name in REFUSED and r.returncode == 1:
                    self.assertTrue(r.stderr.startswith('charta-admin: '), r.stderr)
                    continue
                self.assertEqual(r.returncode, 0, r.stderr)
                info = json.loads(r.stdout)
                self.assertTrue(info['has_pixel_data'])
                if 'Rows' not in ds:
                    continue
                self.assertEqual(info['rows'], ds.Rows)
                self.assertEqual(info['columns'], ds.Columns)
                try:
                    frames = int(ds.get('NumberOfFrames', 1) or 1)
                except ValueError:  # badVR.dcm: pydicom cannot parse it either
                    frames = None
                if frames is not None:
                    self.assertEqual(info['frames'], frames)
                self.assertEqual(info['modality'], ds.get('Modality') or None)
                self.assertEqual(info['photometric_interpretation'],
                                 ds.get('PhotometricInterpretation') or None)
                self.assertEqual(info['patient_id'], (ds.get('PatientID') or '').strip() or None)
                if 'WindowCenter' in ds and 'WindowWidth' in ds:
                    centers = ds.WindowCenter
                    n = len(centers) if isinstance(centers, pydicom.multival.MultiValue) else 1
                    self.assertEqual(len(info['windows']), n)
                if syntax(ds) in JPEG2000_SYNTAXES:
                    self.assertFalse(info['decodable'])
                    self.assertIn('JPEG 2000', info['problem'])
                checked += 1
        self.assertGreater(checked, 40)

    def test_pixels_match_pydicom(self):
        compared, skipped, jpeg2000 = [], {}, []
        for path, ds in self.files:
            name = os.path.basename(path)
            with self.subTest(file=name):
                png, raw = self.out('p.png'), self.out('p.raw')
                r = admin('dicom', 'render', path, '--png', png, '--raw', raw)
                if syntax(ds) in JPEG2000_SYNTAXES:
                    self.assertEqual(r.returncode, 1, name)
                    self.assertIn('JPEG 2000', r.stderr)
                    jpeg2000.append(name)
                    continue
                if name in REFUSED:
                    self.assertEqual(r.returncode, 1, name)
                    self.assertTrue(r.stderr.startswith('charta-admin: '), r.stderr)
                    skipped[name] = 'refused by DCMTK: ' + REFUSED[name]
                    continue
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(png_size(png), (ds.Columns, ds.Rows))
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter('ignore')
                        arr = ds.pixel_array
                except Exception as e:  # noqa: BLE001 — a handler pydicom lacks here
                    skipped[name] = 'pydicom cannot decode it: ' + str(e).splitlines()[0][:80]
                    continue
                frames = int(ds.get('NumberOfFrames', 1) or 1)
                first = arr[0] if frames > 1 else arr
                got = numpy.fromfile(raw, '<f8')
                if ds.SamplesPerPixel == 1:
                    want = apply_modality_lut(first, ds).astype('f8').reshape(-1)
                else:
                    pi = ds.PhotometricInterpretation
                    if pi.startswith('YBR'):
                        first = convert_color_space(first, pi, 'RGB')
                    want = first.astype('f8').reshape(-1)
                self.assertEqual(got.size, want.size)
                diff = numpy.abs(got - want)
                if syntax(ds) in LOSSY_SYNTAXES or (ds.SamplesPerPixel == 3 and
                                                    ds.PhotometricInterpretation.startswith('YBR')):
                    # Two JPEG decoders and two YCbCr conversions round differently.
                    self.assertLess(diff.mean(), 2.0, name)
                    self.assertLessEqual(diff.max(), 40, name)
                else:
                    self.assertEqual(diff.max(), 0, name)
                compared.append(name)
        report = os.environ.get('CHARTA_DICOM_REPORT')
        if report:
            with open(report, 'w') as f:
                json.dump({'compared': compared, 'skipped': skipped, 'jpeg2000': jpeg2000}, f,
                          indent=1)
        self.assertGreater(len(compared), 25)
        self.assertGreaterEqual(len(jpeg2000), 5)

    def test_lossless_twins(self):
        # pydicom here has no JPEG-LS or lossless-JPEG handler: compare with
        # pydicom's reading of the uncompressed twin of the same image.
        twins = {'MR_small_jpeg_ls_lossless.dcm': 'MR_small.dcm',
                 'SC_rgb_jpeg_gdcm.dcm': 'SC_rgb_rle.dcm'}
        for compressed, plain in twins.items():
            with self.subTest(file=compressed):
                raw = self.out('twin.raw')
                r = admin('dicom', 'render', os.path.join(TEST_FILES, compressed), '--raw', raw)
                self.assertEqual(r.returncode, 0, r.stderr)
                ds = pydicom.dcmread(os.path.join(TEST_FILES, plain))
                want = ds.pixel_array
                if ds.SamplesPerPixel == 1:
                    want = apply_modality_lut(want, ds)
                got = numpy.fromfile(raw, '<f8')
                self.assertEqual(got.size, want.size)
                self.assertTrue(numpy.array_equal(got, want.astype('f8').reshape(-1)))

    def test_damaged_copies_fail_cleanly(self):
        rng = random.Random(6)
        sources = ['CT_small.dcm', 'MR_small_RLE.dcm', 'JPGExtended.dcm',
                   'MR_small_jpeg_ls_lossless.dcm', 'SC_rgb_rle_2frame.dcm', 'rtdose.dcm',
                   'SC_rgb_jpeg_dcmtk.dcm', 'ExplVR_BigEnd.dcm']
        runs = failures = 0
        for source in sources:
            with open(os.path.join(TEST_FILES, source), 'rb') as f:
                data = f.read()
            for i in range(25):
                if i < 8:
                    damaged = data[:rng.randrange(1, len(data))]
                else:
                    damaged = bytearray(data)
                    for _ in range(rng.randrange(1, 12)):
                        pos = rng.randrange(len(damaged))
                        damaged[pos] ^= 1 << rng.randrange(8)
                path = self.out('damaged.dcm')
                with open(path, 'wb') as f:
                    f.write(damaged)
                for args in (('info', path),
                             ('render', path, '--png', self.out('d.png'), '--raw',
                              self.out('d.raw'))):
                    r = admin('dicom', *args, timeout=30)
                    runs += 1
                    with self.subTest(source=source, copy=i, command=args[0]):
                        # 0 or 1, never a signal (a negative return code).
                        self.assertIn(r.returncode, (0, 1), f'{source} copy {i}: {r.stderr}')
                        if r.returncode == 1:
                            failures += 1
                            self.assertTrue(r.stderr.startswith('charta-admin: '), r.stderr)
        self.assertGreaterEqual(runs, 400)
        self.assertGreater(failures, 0)

    def test_huge_dimensions_refused(self):
        ds = pydicom.dcmread(os.path.join(TEST_FILES, 'CT_small.dcm'))
        ds.Rows = 65535
        ds.Columns = 65535
        ds.NumberOfFrames = 1000
        path = self.out('huge.dcm')
        ds.save_as(path)
        r = admin('dicom', 'info', path)
        self.assertEqual(r.returncode, 0, r.stderr)
        info = json.loads(r.stdout)
        self.assertFalse(info['decodable'])
        r = admin('dicom', 'render', path, '--png', self.out('h.png'))
        self.assertEqual(r.returncode, 1)
        self.assertIn('more than the 1024 MiB', r.stderr)
        self.assertFalse(os.path.exists(self.out('h.png')))


if __name__ == '__main__':
    ADMIN = sys.argv.pop(1)
    unittest.main(verbosity=2)
