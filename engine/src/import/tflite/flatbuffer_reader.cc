#include "import/tflite/flatbuffer_reader.h"

namespace webcnn {
namespace fb {

namespace {
uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
uint16_t load_u16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
std::string at_offset(size_t pos) { return " at offset " + std::to_string(pos); }
}  // namespace

Status invalid(const std::string& what) { return Status::error(StatusCode::kInvalidModel, what); }

Result<Table> Table::at(const uint8_t* data, size_t size, size_t pos, int depth, const char* name) {
  const std::string field = std::string("field '") + name + "'";
  if (depth > kMaxNestingDepth)
    return invalid(field + ": tables nested deeper than " + std::to_string(kMaxNestingDepth) + " levels");
  if (pos > size || size - pos < 4)
    return invalid(field + ": table" + at_offset(pos) + " runs past the end of the file");
  // soffset: vtable = table - soffset (signed; the vtable may sit before or after the table).
  int32_t soff;
  std::memcpy(&soff, data + pos, 4);
  const int64_t vt = static_cast<int64_t>(pos) - soff;
  if (vt < 0 || vt > static_cast<int64_t>(size) - 4)
    return invalid(field + ": vtable of the table" + at_offset(pos) + " points outside the file (" +
                   std::to_string(vt) + ")");
  Table t;
  t.data_ = data;
  t.size_ = size;
  t.pos_ = pos;
  t.vtable_ = static_cast<size_t>(vt);
  t.vt_bytes_ = load_u16(data + t.vtable_);
  t.obj_bytes_ = load_u16(data + t.vtable_ + 2);
  t.depth_ = depth;
  if (t.vt_bytes_ < 4 || t.vt_bytes_ % 2 != 0 || t.vtable_ + t.vt_bytes_ > size)
    return invalid(field + ": vtable" + at_offset(t.vtable_) + " of " + std::to_string(t.vt_bytes_) +
                   " bytes is malformed or runs past the end of the file");
  if (t.obj_bytes_ < 4 || pos + t.obj_bytes_ > size)
    return invalid(field + ": table" + at_offset(pos) + " of " + std::to_string(t.obj_bytes_) +
                   " bytes runs past the end of the file");
  return t;
}

bool Table::has(int index) const {
  const size_t slot = 4 + 2 * static_cast<size_t>(index);
  return index >= 0 && slot + 2 <= vt_bytes_ && load_u16(data_ + vtable_ + slot) != 0;
}

Result<size_t> Table::field_pos(int index, const char* name, size_t bytes) const {
  if (!has(index)) return size_t{0};
  const size_t off = load_u16(data_ + vtable_ + 4 + 2 * static_cast<size_t>(index));
  if (off < 4 || off + bytes > obj_bytes_)
    return invalid(std::string("field '") + name + "' of the table" + at_offset(pos_) + " lies outside the table (" +
                   std::to_string(off) + " + " + std::to_string(bytes) + " > " + std::to_string(obj_bytes_) +
                   " bytes)");
  return pos_ + off;  // inside [pos_, pos_ + obj_bytes_), which Table::at checked lies in the file
}

Result<size_t> Table::follow(size_t at, const char* name) const {
  const uint64_t target = static_cast<uint64_t>(at) + load_u32(data_ + at);
  if (target >= size_)
    return invalid(std::string("field '") + name + "'" + at_offset(at) + ": offset " + std::to_string(target) +
                   " points past the end of the file (" + std::to_string(size_) + " bytes)");
  return static_cast<size_t>(target);
}

Result<Table> Table::table(int index, const char* name, bool* present) const {
  WEBCNN_ASSIGN(size_t at, field_pos(index, name, 4));
  if (present) *present = at != 0;
  if (at == 0) return Table();
  WEBCNN_ASSIGN(size_t target, follow(at, name));
  return Table::at(data_, size_, target, depth_ + 1, name);
}

Result<Vector> Table::vector_at(size_t at, const char* name, size_t elem_size) const {
  WEBCNN_ASSIGN(size_t start, follow(at, name));
  if (size_ - start < 4)
    return invalid(std::string("field '") + name + "': vector length" + at_offset(start) +
                   " runs past the end of the file");
  Vector v;
  v.size = load_u32(data_ + start);
  v.pos = start + 4;
  v.elem = elem_size;
  const uint64_t bytes = static_cast<uint64_t>(v.size) * elem_size;
  if (bytes > size_ - v.pos)
    return invalid(std::string("field '") + name + "': vector of " + std::to_string(v.size) + " x " +
                   std::to_string(elem_size) + " bytes" + at_offset(v.pos) + " runs past the end of the file (" +
                   std::to_string(size_) + " bytes)");
  return v;
}

Result<Vector> Table::vector(int index, const char* name, size_t elem_size) const {
  WEBCNN_ASSIGN(size_t at, field_pos(index, name, 4));
  if (at == 0) return Vector{0, 0, elem_size};
  return vector_at(at, name, elem_size);
}

Result<std::string> Table::string(int index, const char* name) const {
  WEBCNN_ASSIGN(Vector v, vector(index, name, 1));
  return std::string(reinterpret_cast<const char*>(data_ + v.pos), v.size);
}

Result<Table> Table::table_at(const Vector& v, uint32_t i, const char* name) const {
  if (i >= v.size || v.elem != 4)
    return invalid(std::string("field '") + name + "': element " + std::to_string(i) + " out of range");
  const size_t at = v.pos + static_cast<size_t>(i) * 4;
  WEBCNN_ASSIGN(size_t target, follow(at, name));
  return Table::at(data_, size_, target, depth_ + 1, name);
}

Result<Table> root(const uint8_t* data, size_t size) {
  if (data == nullptr || size < 8)
    return invalid("file of " + std::to_string(size) + " bytes is too small for a FlatBuffer");
  const uint32_t off = load_u32(data);
  if (off >= size)
    return invalid("root table offset " + std::to_string(off) + " points past the end of the file (" +
                   std::to_string(size) + " bytes)");
  return Table::at(data, size, off, 0, "root");
}

}  // namespace fb
}  // namespace webcnn
