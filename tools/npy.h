// NumPy .npy files: the interchange format of `webcnn run` (inputs in, outputs out).
//
// Reading accepts format versions 1.0, 2.0 and 3.0 with dtype '<f4', '<i4', '<i8', '|u1' or '|b1' in C
// order; everything else (big-endian, Fortran order, object arrays, trailing bytes, malformed
// headers) is refused with a message saying which field is wrong. The file is untrusted input.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn::npy {

Result<Tensor> parse(const uint8_t* data, size_t size);
// Version 1.0 (2.0 only when the header outgrows 64 KiB), header padded so data starts 64-byte aligned.
std::vector<uint8_t> serialize(const Tensor& tensor);

// File wrappers; errors name the file.
Result<Tensor> read_file(const std::string& path);
Status write_file(const std::string& path, const Tensor& tensor);

}  // namespace webcnn::npy
