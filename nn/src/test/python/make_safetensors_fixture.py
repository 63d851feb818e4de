#!/usr/bin/env python3
"""Writes the PyTorch-made safetensors fixture read by SafeTensorsTest.

Outputs, next to each other under nn/src/test/resources/fixtures/io/:
  torch_tensors.safetensors  tensors of dtypes float32, float16, bfloat16, int64 (one 0-d, like BatchNorm's
                             num_batches_tracked), int32, uint8 and bool, in the safetensors layout
  torch_tensors.json         per tensor: dtype, shape, "values" (torch's own conversion of every element to
                             float64; null for infinities and NaN) and "bits" (the raw little-endian element bit patterns
                             as unsigned integers, signed for 8-byte elements) and, for tensors narrowed from float32,
                             "source_f32_bits" (the float32 values before narrowing)

The safetensors format is written here directly (8-byte little-endian header length, JSON header padded with
spaces to a multiple of 8, then the tensors' bytes back to back), so the fixture does not depend on the
safetensors package. Run from the repository root:  python3 nn/src/test/python/make_safetensors_fixture.py
"""
import json
import os
import struct

import numpy as np
import torch

OUT_DIR = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "io")

NAMES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64",
         torch.int32: "I32", torch.uint8: "U8", torch.bool: "BOOL"}
# same-size integer view used to get at the raw bits of each dtype
BIT_VIEWS = {torch.float32: torch.int32, torch.float16: torch.int16, torch.bfloat16: torch.int16}


def raw_bytes(t):
    t = t.contiguous()
    if t.dtype in BIT_VIEWS:
        t = t.view(BIT_VIEWS[t.dtype])
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def bits(t):
    data = raw_bytes(t)
    size = t.element_size()
    fmt = {1: "B", 2: "H", 4: "I", 8: "q"}[size]  # 8-byte patterns signed, to fit a JSON reader's int64
    return list(struct.unpack("<%d%s" % (len(data) // size, fmt), data))


def wide_range_floats(g, n):
    """float32 values spread over magnitudes 1e-9 .. 1e5 (F16 subnormals, normals and overflow), both signs,
    plus exact rounding ties and the F16 overflow threshold."""
    mags = 10.0 ** (torch.rand(n, generator=g, dtype=torch.float64) * 14 - 9)
    signs = torch.where(torch.rand(n, generator=g) < 0.5, -1.0, 1.0).to(torch.float64)
    edge = torch.tensor([65504.0, 65519.0, 65520.0, -65520.0, 2.0 ** -24, 2.0 ** -25, 3 * 2.0 ** -25, 2.0 ** -14,
                         1.0 + 2.0 ** -11, 1.0 + 3 * 2.0 ** -11, 1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8,
                         3.3895314e38, 1e-45, 0.0, -0.0], dtype=torch.float64)
    return torch.cat([(mags * signs), edge]).to(torch.float32)


# tensors stored narrowed from float32; the float32 sources' bits go to the JSON so the Java side can redo the
# narrowing and compare bit for bit with PyTorch's
SOURCES = {}


def narrowed(name, source, dtype):
    SOURCES[name] = source
    return source.to(dtype)


def make_tensors():
    g = torch.Generator().manual_seed(20240611)
    wide = wide_range_floats(g, 400)
    return {
        "convert.f16": narrowed("convert.f16", wide, torch.float16),
        "convert.bf16": narrowed("convert.bf16", wide * 1e33, torch.bfloat16),
        "stem.0.weight": torch.randn(4, 3, 3, 3, generator=g),
        "stem.1.bias": torch.tensor([0.0, -0.0, 1.5, -2.25, 3.0e-39, 6.5e4], dtype=torch.float32),
        # float16: normal values, the largest finite (65504), a subnormal (2**-24 * 3), negative zero,
        # and values that round when narrowed from float32
        "head.conv.weight": narrowed("head.conv.weight", torch.tensor([[1.0, -2.0, 65504.0], [3 * 2.0 ** -24, -0.0, 0.1],
                                          [1 / 3, 1e-5, -1234.5]], dtype=torch.float32), torch.float16),
        "head.cls.weight": narrowed("head.cls.weight", torch.randn(2, 5, generator=g) * 100, torch.bfloat16),
        "head.cls.bias": narrowed("head.cls.bias", torch.tensor([1.0, 1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8, -3.0e38,
                                                                1e-40], dtype=torch.float32), torch.bfloat16),
        "bn.running_mean": torch.randn(7, generator=g),
        "bn.num_batches_tracked": torch.tensor(123456789012, dtype=torch.int64),
        "anchors.index": torch.tensor([[0, -1, 2 ** 40], [-(2 ** 62), 5, 9]], dtype=torch.int64),
        "anchors.count": torch.tensor([7, -8, 2 ** 31 - 1], dtype=torch.int32),
        "mask.bytes": torch.tensor([0, 1, 255, 128], dtype=torch.uint8),
        "mask.flags": torch.tensor([True, False, True], dtype=torch.bool),
        "empty.weight": torch.zeros(0, 3, dtype=torch.float32),
    }


def main():
    tensors = make_tensors()
    # layout as the safetensors package does it: larger element size first, then by name
    order = sorted(tensors, key=lambda n: (-tensors[n].element_size(), n))
    header = {"__metadata__": {"format": "pt", "source": "make_safetensors_fixture.py"}}
    blobs = []
    offset = 0
    for name in order:
        t = tensors[name]
        data = raw_bytes(t)
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, "torch_tensors.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        for blob in blobs:
            f.write(blob)

    expected = {}
    for name, t in tensors.items():
        if t.dtype == torch.int64:
            values = t.flatten().tolist()
        else:
            values = [v if np.isfinite(v) else None for v in t.to(torch.float64).flatten().tolist()]
        expected[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "values": values, "bits": bits(t)}
        if name in SOURCES:
            expected[name]["source_f32_bits"] = bits(SOURCES[name])
    with open(os.path.join(OUT_DIR, "torch_tensors.json"), "w") as f:
        json.dump({"metadata": header["__metadata__"], "tensors": expected}, f, indent=1, allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
