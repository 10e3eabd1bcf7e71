// Native image decoding through Debian's stb_image, restricted to JPEG, PNG and BMP. The browser
// decodes images itself, so this file is built only into the native target webcnn_decode.
#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "webcnn/image.h"

// Only the formats we test; everything else is refused by stb as "unknown image type".
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#define STBI_NO_STDIO  // we read files ourselves, so errors can name them
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_MAX_DIMENSIONS 16384  // == kMaxDecodeSide; stb refuses larger before allocating
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#endif
// A PNG whose first IDAT chunk is empty (legal) makes stb copy 0 bytes to a still-null buffer:
// memcpy(nullptr, p, 0), harmless in practice but undefined behaviour (found by image_fuzzer). stb's
// copies go through this instead, which does nothing for 0 bytes.
namespace {
inline void* stb_memcpy(void* dst, const void* src, size_t n) { return n ? std::memcpy(dst, src, n) : dst; }
}  // namespace
#define memcpy stb_memcpy
#include "stb_image.h"  // engine/third_party/stb: 2.27 with 2.28's JPEG overflow checks
#undef memcpy
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace webcnn {

static_assert(STBI_MAX_DIMENSIONS == kMaxDecodeSide, "stb's dimension cap and ours must agree");

namespace {

const char* sniff_format(const uint8_t* d, size_t n) {
  if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return "JPEG";
  if (n >= 8 && std::memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) return "PNG";
  if (n >= 2 && d[0] == 'B' && d[1] == 'M') return "BMP";
  return nullptr;
}

// Debian ships stb_image 2.27, whose JPEG reader writes out of bounds on some damaged files (fixed
// upstream in 2.28: nothings/stb#1289 Huffman tables with more than 256 codes, #1178 fractional
// chroma subsampling). We check those fields ourselves before stb sees the bytes, walking the marker
// segments exactly as stb does (including the tables between progressive scans).
Status check_jpeg_segments(const uint8_t* d, size_t n) {
  auto byte = [&](size_t at) -> size_t { return at < n ? d[at] : 0; };  // stb reads zeros past the end
  size_t pos = 2;                                                       // after SOI
  unsigned defined_tables = 0, used_tables = 0;  // quantisation tables: bit t for table t (stb takes t & 3)
  while (pos < n) {
    if (d[pos] != 0xFF) {  // stb scans over junk between segments to the next 0xFF, and so do we
      ++pos;
      continue;
    }
    while (pos < n && d[pos] == 0xFF) ++pos;  // fill bytes
    if (pos >= n) return Status::ok();
    const size_t marker = d[pos++];
    if (marker == 0xD9) return Status::ok();                             // EOI
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no payload
    const size_t len = byte(pos) << 8 | byte(pos + 1);
    if (len < 2) return Status::ok();  // stb refuses it
    const size_t seg = pos + 2;
    if (marker == 0xC4) {
      // DHT, read as stb reads it: tables until the declared length is used up, even past the segment.
      for (long left = static_cast<long>(len) - 2, at = static_cast<long>(seg); left > 0;) {
        size_t codes = 0;
        for (size_t i = 1; i <= 16; ++i) codes += byte(static_cast<size_t>(at) + i);
        if (codes > 256) return Status::error("decode: damaged JPEG (Huffman table with more than 256 codes)");
        at += 17 + static_cast<long>(codes);
        left -= 17 + static_cast<long>(codes);
      }
    } else if (marker == 0xDB) {
      // DQT: tables until the declared length is used up (64 entries of 8 or 16 bits each).
      for (size_t at = seg; at < pos + len && at < n;) {
        defined_tables |= 1u << (byte(at) & 3);
        at += 1 + (byte(at) >> 4 ? 128 : 64);
      }
    } else if (marker >= 0xC0 && marker <= 0xC2) {  // SOF baseline / extended / progressive
      // Every 8x8 block of the full-resolution component codes its DC value in at least one bit, so a
      // file smaller than that is missing its pixels; stb would decode them as zeros, allocating the
      // whole image first (fuzz regression image_fuzzer/jpeg-pixels-missing: 23 bytes, 6148x8450).
      const uint64_t height = byte(seg + 1) << 8 | byte(seg + 2), width = byte(seg + 3) << 8 | byte(seg + 4);
      const uint64_t blocks = (width + 7) / 8 * ((height + 7) / 8);
      if (blocks > uint64_t{8} * n)
        return Status::error("decode: truncated JPEG (" + std::to_string(width) + "x" + std::to_string(height) +
                             " needs at least " + std::to_string((blocks + 7) / 8) +
                             " bytes of coded data, the file has " + std::to_string(n) + ")");
      const size_t comps = byte(seg + 5);
      used_tables = 0;
      for (size_t c = 0; c < comps; ++c) used_tables |= 1u << (byte(seg + 6 + 3 * c + 2) & 3);
      int h_max = 1, v_max = 1;
      for (size_t c = 0; c < comps; ++c) {
        const int hv = static_cast<int>(byte(seg + 6 + 3 * c + 1)), h = hv >> 4, v = hv & 15;
        if (h < 1 || h > 4 || v < 1 || v > 4) return Status::error("decode: damaged JPEG (sampling factors)");
        h_max = std::max(h_max, h);
        v_max = std::max(v_max, v);
      }
      for (size_t c = 0; c < comps; ++c) {
        const int hv = static_cast<int>(byte(seg + 6 + 3 * c + 1)), h = hv >> 4, v = hv & 15;
        if (h_max % h != 0 || v_max % v != 0)
          return Status::error("decode: damaged JPEG (fractional chroma subsampling)");
      }
    }
    pos += len;
    if (marker == 0xDA && (used_tables & ~defined_tables) != 0)  // stb would dequantise with undefined tables
      return Status::error("decode: damaged JPEG (a component uses a quantisation table the file never defines)");
    if (marker == 0xDA) {  // SOS: skip the entropy-coded data up to the next real marker
      // As stb's bit reader does: 0xFF, any further 0xFFs, then 0x00 is a stuffed data byte and RSTn a
      // restart; anything else is the next marker (fuzz regression image_fuzzer/dht-after-stuffed-ff-run:
      // "FF FF 00" used to end the scan here, so a later DHT with 400 codes went unchecked).
      while (pos < n) {
        if (d[pos] != 0xFF) {
          ++pos;
          continue;
        }
        size_t next = pos + 1;
        while (next < n && d[next] == 0xFF) ++next;
        if (next >= n || !(d[next] == 0x00 || (d[next] >= 0xD0 && d[next] <= 0xD7))) break;
        pos = next + 1;
      }
    }
  }
  return Status::ok();
}

// Every PNG chunk's data must be in the file: stb 2.27 grows its IDAT buffer to the declared length before
// reading, so a 737-byte file declaring a 2 GiB IDAT made it allocate 2 GiB (fuzz regression
// image_fuzzer/png-idat-longer-than-file).
Status check_png_chunks(const uint8_t* d, size_t n) {
  size_t pos = 8;  // after the signature
  while (pos + 8 <= n) {
    const uint64_t len = uint64_t{d[pos]} << 24 | uint64_t{d[pos + 1]} << 16 | uint64_t{d[pos + 2]} << 8 | d[pos + 3];
    const std::string type(reinterpret_cast<const char*>(d + pos + 4), 4);
    if (len > n - (pos + 8))
      return Status::error("decode: truncated PNG (chunk '" + type + "' declares " + std::to_string(len) +
                           " bytes, the file has " + std::to_string(n - (pos + 8)) + " left)");
    if (type == "IEND") break;
    pos += 12 + static_cast<size_t>(len);  // length, type, data, CRC
  }
  return Status::ok();
}

// What the BMP header says.
struct BmpHeader {
  uint64_t offset, width, height, bits, compression;
};

BmpHeader read_bmp_header(const uint8_t* d, size_t n) {
  // Byte by byte, zeros past the end, as stb reads it (fuzz regression image_fuzzer/bmp-bits-cut-short: a
  // file ending inside the bits-per-pixel field was 0 bits here, 8 to stb).
  auto byte = [&](size_t at) -> uint64_t { return at < n ? d[at] : 0; };
  auto u16 = [&](size_t at) -> uint64_t { return byte(at) | byte(at + 1) << 8; };
  auto u32 = [&](size_t at) -> uint64_t { return u16(at) | u16(at + 2) << 16; };
  BmpHeader h{u32(10), 0, 0, 0, 0};
  if (u32(14) == 12) {  // OS/2 BITMAPCOREHEADER
    h.width = u16(18), h.height = u16(20), h.bits = u16(24);
  } else {
    const int64_t w = static_cast<int32_t>(u32(18)), ht = static_cast<int32_t>(u32(22));
    h.width = static_cast<uint64_t>(w < 0 ? -w : w);
    h.height = static_cast<uint64_t>(ht < 0 ? -ht : ht);  // negative: rows stored top-down
    h.bits = u16(28), h.compression = u32(30);
  }
  return h;
}

// Only uncompressed pixels are read. stb refuses RLE (1, 2) with a vague reason, and takes any other
// value it does not know for raw pixels, unchecked against the file (fuzz regression
// image_fuzzer/bmp-unknown-compression: 54 bytes declaring 12879x4105 "compressed" 0xff000000 decoded
// into 150 MB of zeros).
Status check_bmp_compression(const uint8_t* d, size_t n) {
  const uint64_t compression = read_bmp_header(d, n).compression;
  if (compression == 1 || compression == 2 || compression == 4 || compression == 5)
    return Status::error("decode: compressed BMP (" +
                         std::string(compression <= 2   ? "RLE"
                                     : compression == 4 ? "JPEG"
                                                        : "PNG") +
                         " inside) is not supported: save it as an uncompressed BMP, a PNG or a JPEG");
  if (compression != 0 && compression != 3 && compression != 6)
    return Status::error("decode: BMP with an unknown compression method (" + std::to_string(compression) + ")");
  return Status::ok();
}

// An uncompressed BMP holds every pixel, so its size bounds the image: stb would otherwise decode a
// 56-byte file declaring 10520x4145 into 130 MB of zeros, taking seconds (fuzz regression
// image_fuzzer/bmp-pixels-missing).
Status check_bmp_size(const uint8_t* d, size_t n) {
  const BmpHeader h = read_bmp_header(d, n);
  if (h.width == 0 || h.height == 0 || h.bits == 0 || h.width > uint64_t{kMaxDecodeSide} ||
      h.height > uint64_t{kMaxDecodeSide})
    return Status::ok();  // stb refuses these itself
  const uint64_t row = (h.width * h.bits + 31) / 32 * 4;
  const uint64_t need =
      h.offset + row * (h.height - 1) + (h.width * h.bits + 7) / 8;  // the last row may lack its padding
  if (n < need)
    return Status::error("decode: truncated BMP (" + std::to_string(h.width) + "x" + std::to_string(h.height) + " at " +
                         std::to_string(h.bits) + " bits per pixel needs " + std::to_string(need) +
                         " bytes, the file has " + std::to_string(n) + ")");
  return Status::ok();
}

}  // namespace

// stb's reason for its last failure; some of its failure paths set none.
static std::string failure_reason() {
  const char* reason = stbi_failure_reason();
  return reason && *reason ? reason : "corrupt or truncated data";
}

// decode_image() before its errors get their kind: a damaged or unsupported image is a bad argument.
static Result<Image> decode_bytes(const uint8_t* data, size_t size) {
  if (!data || size == 0) return Status::error("decode: no image bytes");
  if (size > static_cast<size_t>(INT32_MAX)) return Status::error("decode: image file larger than 2 GiB");
  const char* format = sniff_format(data, size);
  if (!format) return Status::error("decode: not a JPEG, PNG or BMP image (unrecognised leading bytes)");
  if (std::strcmp(format, "JPEG") == 0) WEBCNN_TRY(check_jpeg_segments(data, size));
  // 16-bit PNGs go through stb 2.27's 16→8 conversion, which overflows on crafted files (nothings/stb#1166).
  if (std::strcmp(format, "PNG") == 0 && size > 24 && data[24] == 16)
    return Status::error("decode: 16-bit PNG is not supported (save as 8-bit)");
  if (std::strcmp(format, "PNG") == 0) WEBCNN_TRY(check_png_chunks(data, size));
  if (std::strcmp(format, "BMP") == 0) WEBCNN_TRY(check_bmp_compression(data, size));
  const int len = static_cast<int>(size);
  int w = 0, h = 0, comp = 0;
  // Header first: refuse huge images before stb allocates for them.
  if (!stbi_info_from_memory(data, len, &w, &h, &comp))
    return Status::error(std::string("decode: damaged ") + format + " header (" + failure_reason() + ")");
  // stb's BMP header reader gives a top-down BMP's negative height as is; its decoder takes |height|.
  if (std::strcmp(format, "BMP") == 0 && h < 0 && h >= -kMaxDecodeSide) h = -h;
  if (w == 0 || h == 0)
    return Status::error(std::string("decode: ") + format + " image " + std::to_string(w) + "x" + std::to_string(h) +
                         " is empty (no pixels)");
  if (w < 0 || h < 0)
    return Status::error(std::string("decode: damaged ") + format + " header (size " + std::to_string(w) + "x" +
                         std::to_string(h) + ")");
  if (w > kMaxDecodeSide || h > kMaxDecodeSide || static_cast<int64_t>(w) * h > kMaxDecodePixels)
    return Status::error(std::string("decode: ") + format + " image " + std::to_string(w) + "x" + std::to_string(h) +
                         " exceeds the limit (" + std::to_string(kMaxDecodeSide) + " per side, " +
                         std::to_string(kMaxDecodePixels >> 20) + " Mpx)");
  if (std::strcmp(format, "BMP") == 0) WEBCNN_TRY(check_bmp_size(data, size));
  stbi_uc* pixels = stbi_load_from_memory(data, len, &w, &h, &comp, 3);
  if (!pixels)
    return Status::error(std::string("decode: cannot decode ") + format + " image (" + failure_reason() + ")");
  Image img;
  img.width = w;
  img.height = h;
  img.format = PixelFormat::kRGB8;
  img.pixels.assign(pixels, pixels + static_cast<size_t>(w) * h * 3);
  stbi_image_free(pixels);
  return img;
}

Result<Image> decode_image(const uint8_t* data, size_t size) {
  return decode_bytes(data, size).with_default_code(StatusCode::kInvalidArgument);
}

Result<Image> decode_image_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::error(StatusCode::kInvalidArgument, path + ": cannot open file");
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  if (size < 0) return Status::error(StatusCode::kInvalidArgument, path + ": cannot read file");
  // A bound on what a file we would decode can be (an uncompressed BMP at the pixel cap, plus slack).
  if (size > kMaxDecodePixels * 4 + (1 << 20))
    return Status::error(StatusCode::kInvalidArgument, path + ": file too large for an image");
  f.seekg(0, std::ios::beg);
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (size > 0 && !f.read(reinterpret_cast<char*>(bytes.data()), size))
    return Status::error(StatusCode::kInvalidArgument, path + ": cannot read file");
  Result<Image> img = decode_image(bytes.data(), bytes.size());
  if (!img.is_ok()) return img.status().with_context(path);
  return img;
}

}  // namespace webcnn
