// A minimal reader for the FlatBuffers binary format (no library): enough to walk a TFLite file.
//
// The bytes are untrusted. Every offset (root, table, vtable, vector, string) and every length is
// checked against the buffer before it is read, reads go through memcpy (nothing is assumed aligned),
// and tables nested deeper than kMaxNestingDepth are refused. Errors are kInvalidModel and name the
// field and the byte offset, e.g. "field 'shape': vector of 2147483648 x 4 bytes at offset 96 runs past the
// end of the file (1024 bytes)"; the schema layer above prefixes which tensor/operator it was reading.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "webcnn/status.h"

namespace webcnn {
namespace fb {

// Tables reached through more than this many table references from the root are refused.
constexpr int kMaxNestingDepth = 16;

// An error of the reader: kInvalidModel with `what`.
Status invalid(const std::string& what);

// A vector's element count and where its first element sits.
struct Vector {
  size_t pos = 0;     // byte offset of element 0
  uint32_t size = 0;  // element count
  size_t elem = 0;    // bytes per element
};

class Table {
 public:
  Table() = default;

  // Scalar field `index` (0-based, as the schema numbers fields); `def` when absent.
  template <typename T>
  Result<T> scalar(int index, const char* name, T def) const {
    WEBCNN_ASSIGN(size_t at, field_pos(index, name, sizeof(T)));
    if (at == 0) return def;
    T v;
    std::memcpy(&v, data_ + at, sizeof(T));
    return v;
  }
  // Whether field `index` is present (its vtable slot is non-zero).
  bool has(int index) const;
  // Sub-table, vector, string fields; `present` (when given) reports whether the field was there.
  Result<Table> table(int index, const char* name, bool* present) const;
  Result<Vector> vector(int index, const char* name, size_t elem_size) const;
  Result<std::string> string(int index, const char* name) const;
  // Element i of a vector of tables.
  Result<Table> table_at(const Vector& v, uint32_t i, const char* name) const;
  // A vector of scalars copied out (memcpy, little-endian hosts).
  template <typename T>
  Result<std::vector<T>> scalars(int index, const char* name) const {
    WEBCNN_ASSIGN(Vector v, vector(index, name, sizeof(T)));
    std::vector<T> out(v.size);
    if (v.size) std::memcpy(out.data(), data_ + v.pos, static_cast<size_t>(v.size) * sizeof(T));
    return out;
  }

  const uint8_t* data() const { return data_; }
  size_t file_size() const { return size_; }
  size_t pos() const { return pos_; }
  int depth() const { return depth_; }

  // The table at byte offset `pos` (its vtable checked), at nesting `depth`.
  static Result<Table> at(const uint8_t* data, size_t size, size_t pos, int depth, const char* name);

 private:
  // Byte offset of field `index` with `bytes` of payload inside the table, or 0 when absent.
  Result<size_t> field_pos(int index, const char* name, size_t bytes) const;
  // Follows the uoffset stored at `at` to a position inside the buffer.
  Result<size_t> follow(size_t at, const char* name) const;
  Result<Vector> vector_at(size_t at, const char* name, size_t elem_size) const;

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;          // the table's start (where its soffset to the vtable is)
  size_t vtable_ = 0;       // the vtable's start
  uint16_t vt_bytes_ = 0;   // vtable size in bytes (including its two header fields)
  uint16_t obj_bytes_ = 0;  // table inline size in bytes
  int depth_ = 0;
};

// The root table of a FlatBuffer, after checking the buffer is large enough for its header.
Result<Table> root(const uint8_t* data, size_t size);

}  // namespace fb
}  // namespace webcnn
