// lowp/io/npy.hpp: a strict reader and a writer for NumPy .npy files (format 1.0, 2.0, 3.0).
//
// Reading returns the shape and the values converted to float32, always in C (row-major) order:
// Fortran-ordered files are transposed on load. Supported dtypes: float16, float32, float64 in
// little- or big-endian byte order ('<f2' '<f4' '<f8' '>f2' ... and '=' for native).
//
// The reader treats the file as untrusted input. Every inconsistency throws lowp::error with a
// message that says what is wrong: bad magic, unknown version, header length past the end of the
// file or above kMaxHeaderBytes, a header that is not exactly the dict NumPy writes ('descr',
// 'fortran_order', 'shape'), an unsupported dtype, negative or absurd extents (the element count
// is checked for overflow and against the bytes actually present BEFORE anything is allocated),
// truncated data and trailing bytes. No input makes it crash, read out of bounds or allocate more
// than the file size (tests/io fuzzes it).
//
// Format reference: numpy/lib/format.py ("\x93NUMPY", major, minor, little-endian header length
// of 2 bytes (v1) or 4 bytes (v2, v3), then an ASCII (v3: UTF-8) Python dict literal, padded with
// spaces and terminated by '\n').
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "lowp/core/error.hpp"
#include "lowp/core/tensor_view.hpp"

namespace lowp {
namespace io {

enum class NpyDtype { float16, float32, float64 };

inline const char* dtype_name(NpyDtype t) {
  switch (t) {
    case NpyDtype::float16: return "float16";
    case NpyDtype::float32: return "float32";
    default: return "float64";
  }
}

// A loaded array: shape (any rank, possibly with zero extents) and float32 values in C order.
struct NpyArray {
  std::vector<std::ptrdiff_t> shape;
  std::vector<float> data;
  NpyDtype dtype = NpyDtype::float32;  // the dtype stored in the file
  bool fortran_order = false;          // how the file stored it (data is C order regardless)

  std::ptrdiff_t size() const { return static_cast<std::ptrdiff_t>(data.size()); }
  int rank() const { return static_cast<int>(shape.size()); }
  // An N-d view of the values (rank <= kMaxRank).
  TensorView<const float> view() const {
    LOWP_CHECK(rank() <= kMaxRank, "npy: rank ", rank(), " exceeds the TensorView limit ", kMaxRank);
    return TensorView<const float>(data.data(), shape.data(), rank());
  }
};

// Limits that make "absurd" precise. NumPy itself allows at most 64 dimensions.
inline constexpr int kNpyMaxRank = 64;
inline constexpr std::size_t kMaxHeaderBytes = std::size_t{1} << 20;

namespace detail {

// IEEE 754 binary16 -> binary32, exact for every input (subnormals, infinities, NaN payloads).
inline float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  std::uint32_t exp = (h >> 10) & 0x1fu;
  std::uint32_t mant = h & 0x3ffu;
  std::uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else if (exp != 0) {
    bits = sign | ((exp + 112u) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;
  } else {  // subnormal half: normalize into a float32 normal
    exp = 113;
    while ((mant & 0x400u) == 0) {
      mant <<= 1;
      --exp;
    }
    bits = sign | (exp << 23) | ((mant & 0x3ffu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

inline bool host_is_little_endian() {
  const std::uint16_t one = 1;
  unsigned char b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}

// A cursor over the header dict text; every accessor checks bounds.
class NpyHeaderParser {
 public:
  NpyHeaderParser(const char* p, std::size_t n) : p_(p), n_(n) {}

  void skip_space() {
    while (i_ < n_ && (p_[i_] == ' ' || p_[i_] == '\t')) ++i_;
  }
  bool at_end() const { return i_ >= n_; }
  char peek() const { return i_ < n_ ? p_[i_] : '\0'; }
  void expect(char c, const char* what) {
    skip_space();
    LOWP_CHECK(i_ < n_ && p_[i_] == c, "npy: malformed header: expected '", c, "' ", what,
               " at header offset ", i_);
    ++i_;
  }
  bool accept(char c) {
    skip_space();
    if (i_ < n_ && p_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  std::string quoted() {
    skip_space();
    LOWP_CHECK(i_ < n_ && (p_[i_] == '\'' || p_[i_] == '"'), "npy: malformed header: expected a string at offset ", i_);
    const char q = p_[i_++];
    std::string s;
    while (i_ < n_ && p_[i_] != q) {
      LOWP_CHECK(s.size() < 64, "npy: malformed header: string longer than 64 characters");
      s += p_[i_++];
    }
    LOWP_CHECK(i_ < n_, "npy: malformed header: unterminated string");
    ++i_;
    return s;
  }
  bool boolean() {
    skip_space();
    if (n_ - i_ >= 4 && std::memcmp(p_ + i_, "True", 4) == 0) {
      i_ += 4;
      return true;
    }
    if (n_ - i_ >= 5 && std::memcmp(p_ + i_, "False", 5) == 0) {
      i_ += 5;
      return false;
    }
    fail("npy: malformed header: 'fortran_order' must be True or False");
  }
  // A non-negative decimal integer; rejects anything that does not fit in int64.
  std::int64_t integer() {
    skip_space();
    LOWP_CHECK(i_ < n_ && p_[i_] >= '0' && p_[i_] <= '9', "npy: malformed header: expected a non-negative "
               "integer in 'shape' at offset ", i_);
    std::int64_t v = 0;
    while (i_ < n_ && p_[i_] >= '0' && p_[i_] <= '9') {
      const int d = p_[i_++] - '0';
      LOWP_CHECK(v <= (std::numeric_limits<std::int64_t>::max() - d) / 10,
                 "npy: absurd shape: an extent does not fit in 64 bits");
      v = v * 10 + d;
    }
    // NumPy on Windows/Python 2 may write "3L".
    if (i_ < n_ && p_[i_] == 'L') ++i_;
    return v;
  }
  std::vector<std::int64_t> shape_tuple() {
    expect('(', "to open 'shape'");
    std::vector<std::int64_t> dims;
    if (accept(')')) return dims;
    for (;;) {
      LOWP_CHECK(static_cast<int>(dims.size()) < kNpyMaxRank, "npy: absurd shape: more than ", kNpyMaxRank,
                 " dimensions");
      dims.push_back(integer());
      if (accept(')')) return dims;
      expect(',', "between extents of 'shape'");
      if (accept(')')) return dims;  // "(3,)"
    }
  }
  [[noreturn]] static void fail(const char* msg) { ::lowp::detail::fail(msg); }

 private:
  const char* p_;
  std::size_t n_;
  std::size_t i_ = 0;
};

inline std::uint32_t load_le(const unsigned char* p, int bytes) {
  std::uint32_t v = 0;
  for (int b = bytes - 1; b >= 0; --b) v = (v << 8) | p[b];
  return v;
}

}  // namespace detail

// Parses a complete .npy file held in memory.
inline NpyArray parse_npy(const unsigned char* bytes, std::size_t n) {
  static const unsigned char kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  LOWP_CHECK(bytes != nullptr || n == 0, "npy: null buffer");
  LOWP_CHECK(n >= 10, "npy: truncated file: ", n, " bytes is shorter than the 10-byte preamble");
  LOWP_CHECK(std::memcmp(bytes, kMagic, 6) == 0, "npy: bad magic: not a NumPy .npy file");
  const int major = bytes[6];
  LOWP_CHECK(major >= 1 && major <= 3, "npy: unsupported format version ", major, ".", int{bytes[7]});
  const int len_bytes = major == 1 ? 2 : 4;
  const std::size_t preamble = 8 + static_cast<std::size_t>(len_bytes);
  LOWP_CHECK(n >= preamble, "npy: truncated file: the header length field is incomplete");
  const std::size_t header_len = detail::load_le(bytes + 8, len_bytes);
  LOWP_CHECK(header_len <= kMaxHeaderBytes, "npy: header length ", header_len, " exceeds the limit of ",
             kMaxHeaderBytes, " bytes");
  LOWP_CHECK(header_len <= n - preamble, "npy: truncated file: header of ", header_len, " bytes but only ",
             n - preamble, " bytes follow the preamble");

  // The dict: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } + padding + '\n'.
  const char* text = reinterpret_cast<const char*>(bytes + preamble);
  std::size_t text_len = header_len;
  LOWP_CHECK(text_len > 0 && text[text_len - 1] == '\n', "npy: malformed header: not terminated by a newline");
  --text_len;
  while (text_len > 0 && (text[text_len - 1] == ' ' || text[text_len - 1] == '\t')) --text_len;
  detail::NpyHeaderParser parser(text, text_len);
  std::string descr;
  bool fortran = false;
  std::vector<std::int64_t> dims;
  bool seen_descr = false, seen_order = false, seen_shape = false;
  parser.expect('{', "at the start of the header dict");
  while (!parser.accept('}')) {
    const std::string key = parser.quoted();
    parser.expect(':', "after a key");
    if (key == "descr") {
      LOWP_CHECK(!seen_descr, "npy: malformed header: duplicate key 'descr'");
      seen_descr = true;
      parser.skip_space();
      LOWP_CHECK(parser.peek() == '\'' || parser.peek() == '"',
                 "npy: unsupported dtype: structured arrays are not supported (only float16/32/64)");
      descr = parser.quoted();
    } else if (key == "fortran_order") {
      LOWP_CHECK(!seen_order, "npy: malformed header: duplicate key 'fortran_order'");
      seen_order = true;
      fortran = parser.boolean();
    } else if (key == "shape") {
      LOWP_CHECK(!seen_shape, "npy: malformed header: duplicate key 'shape'");
      seen_shape = true;
      dims = parser.shape_tuple();
    } else {
      ::lowp::detail::fail("npy: malformed header: unexpected key '", key, "'");
    }
    if (!parser.accept(',')) {
      parser.expect('}', "to close the header dict");
      break;
    }
  }
  parser.skip_space();
  LOWP_CHECK(parser.at_end(), "npy: malformed header: text after the closing '}'");
  LOWP_CHECK(seen_descr && seen_order && seen_shape,
             "npy: malformed header: 'descr', 'fortran_order' and 'shape' are all required");

  // dtype: byte order + 'f' + item size.
  LOWP_CHECK(descr.size() == 3 && descr[1] == 'f' && (descr[2] == '2' || descr[2] == '4' || descr[2] == '8'),
             "npy: unsupported dtype '", descr, "' (only float16, float32 and float64 are supported)");
  const char order = descr[0];
  LOWP_CHECK(order == '<' || order == '>' || order == '=',
             "npy: unsupported dtype '", descr, "': byte order must be '<', '>' or '='");
  const std::size_t item = static_cast<std::size_t>(descr[2] - '0');
  const bool little = order == '<' || (order == '=' && detail::host_is_little_endian());

  // Element count, overflow-checked, then checked against the bytes present: this bounds any
  // allocation by the file size.
  const std::size_t data_bytes = n - preamble - header_len;
  // The product of the non-zero extents is bounded (2^48 elements) even for an empty array, so
  // that nobody computing the size of this shape can overflow.
  constexpr std::uint64_t kMaxElements = std::uint64_t{1} << 48;
  std::uint64_t nonzero_product = 1;
  bool has_zero = false;
  for (std::int64_t d : dims) {
    if (d == 0) {
      has_zero = true;
      continue;
    }
    LOWP_CHECK(static_cast<std::uint64_t>(d) <= kMaxElements / nonzero_product, "npy: absurd shape: ",
               dims.size(), "-d shape with more than 2^48 elements");
    nonzero_product *= static_cast<std::uint64_t>(d);
  }
  const std::uint64_t need = (has_zero ? 0 : nonzero_product) * item;  // <= 2^51, no overflow
  LOWP_CHECK(need <= data_bytes, "npy: truncated data: shape needs ", need, " bytes, file has ", data_bytes);
  LOWP_CHECK(need == data_bytes, "npy: ", data_bytes - need, " trailing bytes after the data (shape needs ",
             need, ")");
  const std::size_t count = static_cast<std::size_t>(need / item);

  NpyArray out;
  out.dtype = item == 2 ? NpyDtype::float16 : item == 4 ? NpyDtype::float32 : NpyDtype::float64;
  out.fortran_order = fortran;
  out.shape.assign(dims.begin(), dims.end());
  out.data.resize(count);
  const unsigned char* src = bytes + preamble + header_len;

  // Converts element e of the file (file order) into float.
  auto load = [&](std::size_t e) -> float {
    unsigned char b[8];
    const unsigned char* p = src + e * item;
    for (std::size_t k = 0; k < item; ++k) b[k] = little ? p[k] : p[item - 1 - k];
    if (item == 2) return detail::half_to_float(static_cast<std::uint16_t>(b[0] | (b[1] << 8)));
    if (item == 4) {
      const std::uint32_t u = detail::load_le(b, 4);
      float f;
      std::memcpy(&f, &u, 4);
      return f;
    }
    std::uint64_t u = 0;
    for (int k = 7; k >= 0; --k) u = (u << 8) | b[k];
    double d;
    std::memcpy(&d, &u, 8);
    return static_cast<float>(d);
  };
  if (!fortran || dims.size() <= 1) {
    for (std::size_t e = 0; e < count; ++e) out.data[e] = load(e);
  } else if (count > 0) {
    // File order is column-major: walk it with a C-order destination index.
    const std::size_t rank = dims.size();
    std::vector<std::size_t> c_stride(rank), idx(rank, 0);
    std::size_t s = 1;
    for (std::size_t d = rank; d-- > 0;) {
      c_stride[d] = s;
      s *= static_cast<std::size_t>(dims[d]);
    }
    std::size_t dst = 0;
    for (std::size_t e = 0; e < count; ++e) {
      out.data[dst] = load(e);
      for (std::size_t d = 0; d < rank; ++d) {  // first index varies fastest
        dst += c_stride[d];
        if (++idx[d] < static_cast<std::size_t>(dims[d])) break;
        dst -= c_stride[d] * idx[d];
        idx[d] = 0;
      }
    }
  }
  return out;
}

inline std::vector<unsigned char> read_file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  LOWP_CHECK(f.good(), "cannot open '", path, "'");
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  LOWP_CHECK(size >= 0, "cannot determine the size of '", path, "'");
  f.seekg(0, std::ios::beg);
  std::vector<unsigned char> bytes(static_cast<std::size_t>(size));
  if (size > 0) f.read(reinterpret_cast<char*>(bytes.data()), size);
  LOWP_CHECK(f.good() || size == 0, "error reading '", path, "'");
  return bytes;
}

// Reads a .npy file; errors name the file.
inline NpyArray read_npy(const std::string& path) {
  const std::vector<unsigned char> bytes = read_file_bytes(path);
  try {
    return parse_npy(bytes.data(), bytes.size());
  } catch (const error& e) {
    throw error(std::string(e.what() + 6) + " (in '" + path + "')");  // drop the "lowp: " prefix
  }
}

// Encodes values (C order) as a version 1.0 .npy file of dtype float32 ('<f4') or float64 ('<f8').
template <typename T>
std::vector<unsigned char> encode_npy(const T* data, const std::vector<std::ptrdiff_t>& shape) {
  static_assert(std::is_same<T, float>::value || std::is_same<T, double>::value,
                "encode_npy: only float and double arrays can be written");
  std::size_t count = 1;
  std::string dict = std::string("{'descr': '<f") + char('0' + sizeof(T)) + "', 'fortran_order': False, 'shape': (";
  for (std::size_t d = 0; d < shape.size(); ++d) {
    LOWP_CHECK(shape[d] >= 0, "encode_npy: negative extent ", shape[d]);
    count *= static_cast<std::size_t>(shape[d]);
    dict += std::to_string(shape[d]);
    if (shape.size() == 1 || d + 1 < shape.size()) dict += shape.size() == 1 ? "," : ", ";
  }
  dict += "), }";
  // Pad so that the data starts at a multiple of 64 bytes (what NumPy does), newline last.
  std::size_t total = 10 + dict.size() + 1;
  const std::size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict += '\n';
  LOWP_CHECK(dict.size() <= 0xffff, "encode_npy: header too long for format 1.0");
  const unsigned char preamble[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                      static_cast<unsigned char>(dict.size() & 0xff),
                                      static_cast<unsigned char>(dict.size() >> 8)};
  std::vector<unsigned char> out(10 + dict.size() + count * sizeof(T));
  std::memcpy(out.data(), preamble, 10);
  std::memcpy(out.data() + 10, dict.data(), dict.size());
  const std::size_t off = 10 + dict.size();
  for (std::size_t e = 0; e < count; ++e) {
    unsigned char b[sizeof(T)];
    std::memcpy(b, &data[e], sizeof(T));
    for (std::size_t k = 0; k < sizeof(T); ++k)  // little-endian on every host
      out[off + e * sizeof(T) + k] = detail::host_is_little_endian() ? b[k] : b[sizeof(T) - 1 - k];
  }
  return out;
}

template <typename T>
void write_npy(const std::string& path, const T* data, const std::vector<std::ptrdiff_t>& shape) {
  const std::vector<unsigned char> bytes = encode_npy(data, shape);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  LOWP_CHECK(f.good(), "write_npy: cannot create '", path, "'");
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  LOWP_CHECK(f.good(), "write_npy: error writing '", path, "'");
}

}  // namespace io
}  // namespace lowp
