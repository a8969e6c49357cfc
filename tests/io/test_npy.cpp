// lowp::io npy reader/writer: NumPy-written fixtures of every supported dtype, byte order,
// memory order and version load with the right shape and values; malformed files are rejected
// with a message naming the problem; a deterministic mutation fuzzer checks that no corrupted
// file crashes the reader or escapes as anything but lowp::error.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lowp/io/npy.hpp"

namespace {

using lowp::io::NpyArray;
using lowp::io::NpyDtype;

std::string fixture(const std::string& name) { return std::string(LOWP_TEST_DATA_DIR) + "/io/" + name; }

// Fixture values are (i - 3) / 4 in C order (see tests/data/io/make_npy.py).
void expect_ramp(const NpyArray& a, std::vector<std::ptrdiff_t> shape) {
  ASSERT_EQ(a.shape, shape);
  std::size_t n = 1;
  for (auto d : shape) n *= static_cast<std::size_t>(d);
  ASSERT_EQ(a.data.size(), n);
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(a.data[i], (static_cast<float>(i) - 3.0f) * 0.25f) << i;
}

std::string error_of(const std::vector<unsigned char>& bytes) {
  try {
    lowp::io::parse_npy(bytes.data(), bytes.size());
  } catch (const lowp::error& e) {
    return e.what();
  }
  return "";
}

std::vector<unsigned char> with_header(const std::string& dict, std::size_t data_bytes, int major = 1) {
  std::string h = dict;
  h += '\n';
  std::vector<unsigned char> b = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<unsigned char>(major), 0};
  b.push_back(static_cast<unsigned char>(h.size() & 0xff));
  b.push_back(static_cast<unsigned char>(h.size() >> 8));
  if (major > 1) {
    b.push_back(0);
    b.push_back(0);
  }
  b.insert(b.end(), h.begin(), h.end());
  b.resize(b.size() + data_bytes, 0);
  return b;
}

TEST(Npy, ReadsEveryDtypeOrderAndVersionThatNumpyWrites) {
  auto a = lowp::io::read_npy(fixture("f32_c_2x3.npy"));
  EXPECT_EQ(a.dtype, NpyDtype::float32);
  EXPECT_FALSE(a.fortran_order);
  expect_ramp(a, {2, 3});
  a = lowp::io::read_npy(fixture("f64_fortran_2x3x4.npy"));
  EXPECT_EQ(a.dtype, NpyDtype::float64);
  EXPECT_TRUE(a.fortran_order);
  expect_ramp(a, {2, 3, 4});  // transposed back to C order
  expect_ramp(lowp::io::read_npy(fixture("f32_fortran_3x5.npy")), {3, 5});
  a = lowp::io::read_npy(fixture("f16_c_7.npy"));
  EXPECT_EQ(a.dtype, NpyDtype::float16);
  expect_ramp(a, {7});
  expect_ramp(lowp::io::read_npy(fixture("f32_bigendian_4.npy")), {4});
  expect_ramp(lowp::io::read_npy(fixture("f32_v2_2x2.npy")), {2, 2});
  a = lowp::io::read_npy(fixture("f32_scalar.npy"));
  EXPECT_EQ(a.rank(), 0);
  ASSERT_EQ(a.size(), 1);
  EXPECT_EQ(a.data[0], 1.5f);
  a = lowp::io::read_npy(fixture("f32_empty_0x5.npy"));
  EXPECT_EQ(a.shape, (std::vector<std::ptrdiff_t>{0, 5}));
  EXPECT_EQ(a.size(), 0);
}

TEST(Npy, Float16SpecialValuesConvertExactly) {
  const auto a = lowp::io::read_npy(fixture("f16_special.npy"));
  ASSERT_EQ(a.size(), 5);
  EXPECT_EQ(a.data[0], 65504.0f);
  EXPECT_EQ(a.data[1], std::ldexp(1.0f, -24));
  EXPECT_TRUE(std::isinf(a.data[2]) && a.data[2] < 0);
  EXPECT_TRUE(std::isnan(a.data[3]));
  EXPECT_TRUE(a.data[4] == 0.0f && std::signbit(a.data[4]));
  // Every half bit pattern: finite ones round-trip through float exactly to their value.
  for (std::uint32_t h = 0; h < 0x7c00; ++h) {
    const float f = lowp::io::detail::half_to_float(static_cast<std::uint16_t>(h));
    const int e = static_cast<int>(h >> 10), m = static_cast<int>(h & 0x3ff);
    const double expect = e == 0 ? std::ldexp(m, -24) : std::ldexp(1024 + m, e - 25);
    ASSERT_EQ(static_cast<double>(f), expect) << h;
  }
}

TEST(Npy, WriterRoundTripsThroughTheReader) {
  std::vector<float> v(24);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = (static_cast<float>(i) - 3.0f) * 0.25f;
  for (const auto& shape : std::vector<std::vector<std::ptrdiff_t>>{{24}, {2, 3, 4}, {4, 6}, {1, 1, 24}}) {
    const auto bytes = lowp::io::encode_npy(v.data(), shape);
    EXPECT_EQ((bytes.size() - v.size() * 4) % 64, 0u);  // data 64-byte aligned like NumPy
    expect_ramp(lowp::io::parse_npy(bytes.data(), bytes.size()), shape);
  }
  std::vector<double> d(v.begin(), v.end());
  const auto bytes = lowp::io::encode_npy(d.data(), {3, 8});
  const auto a = lowp::io::parse_npy(bytes.data(), bytes.size());
  EXPECT_EQ(a.dtype, NpyDtype::float64);
  expect_ramp(a, {3, 8});
  const std::string path = ::testing::TempDir() + "lowp_npy_roundtrip.npy";
  lowp::io::write_npy(path, v.data(), {4, 6});
  expect_ramp(lowp::io::read_npy(path), {4, 6});
  const auto view = lowp::io::read_npy(path).view();
  EXPECT_EQ(view.rank(), 2);
  EXPECT_EQ(view.extent(1), 6);
}

TEST(Npy, MalformedFilesAreRejectedWithAClearMessage) {
  auto has = [](const std::string& msg, const char* part) {
    return msg.find(part) != std::string::npos ? ::testing::AssertionSuccess()
                                               : ::testing::AssertionFailure() << "'" << msg << "' lacks '" << part << "'";
  };
  const std::string ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  EXPECT_EQ(error_of(with_header(ok, 24)), "");
  EXPECT_TRUE(has(error_of(with_header(ok, 20)), "truncated data"));
  EXPECT_TRUE(has(error_of(with_header(ok, 28)), "trailing bytes"));
  auto bad_magic = with_header(ok, 24);
  bad_magic[1] = 'X';
  EXPECT_TRUE(has(error_of(bad_magic), "bad magic"));
  EXPECT_TRUE(has(error_of({0x93, 'N', 'U'}), "truncated file"));
  auto version = with_header(ok, 24);
  version[6] = 9;
  EXPECT_TRUE(has(error_of(version), "unsupported format version 9"));
  auto long_header = with_header(ok, 24);
  long_header[8] = 0xff;
  long_header[9] = 0xff;
  EXPECT_TRUE(has(error_of(long_header), "truncated file: header of 65535 bytes"));
  auto huge_v2 = with_header(ok, 24, 2);
  huge_v2[11] = 0x7f;  // header length ~2 GB
  EXPECT_TRUE(has(error_of(huge_v2), "exceeds the limit"));
  EXPECT_TRUE(has(error_of(with_header("{'descr': '<i4', 'fortran_order': False, 'shape': (6,), }", 24)),
                  "unsupported dtype '<i4'"));
  EXPECT_TRUE(has(error_of(with_header("{'descr': '|f4', 'fortran_order': False, 'shape': (6,), }", 24)),
                  "byte order"));
  EXPECT_TRUE(has(error_of(with_header("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (6,), }", 24)),
                  "structured"));
  EXPECT_TRUE(has(error_of(with_header(
                      "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }", 24)),
                  "absurd shape"));
  EXPECT_TRUE(has(error_of(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 24)),
                  "absurd shape"));
  EXPECT_TRUE(has(error_of(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }", 24)),
                  "truncated data"));
  EXPECT_TRUE(has(error_of(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-6,), }", 24)),
                  "non-negative integer"));
  EXPECT_TRUE(has(error_of(with_header("{'descr': '<f4', 'shape': (6,), }", 24)), "all required"));
  EXPECT_TRUE(has(error_of(with_header("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (6,), }", 24)),
                  "True or False"));
  EXPECT_TRUE(has(error_of(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 1}", 24)),
                  "unexpected key 'x'"));
  EXPECT_TRUE(has(error_of(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (6,) } junk", 24)),
                  "after the closing"));
  EXPECT_TRUE(has(error_of(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (6,", 24)), "malformed header"));
  EXPECT_TRUE(has(error_of(lowp::io::read_file_bytes(fixture("i32_unsupported.npy"))), "unsupported dtype"));
  try {
    lowp::io::read_npy(fixture("no_such_file.npy"));
    ADD_FAILURE() << "no error for a missing file";
  } catch (const lowp::error& e) {
    EXPECT_TRUE(has(e.what(), "cannot open"));
  }
}

// The fuzzing contract (as fuzz_npy.cpp): an input parses into a consistent array (element count
// = product of the shape, no more elements than the bytes can hold) or throws lowp::error; any
// other exception escapes and fails the test. Returns whether it parsed.
bool parse_or_reject(const std::vector<unsigned char>& b) {
  try {
    const NpyArray a = lowp::io::parse_npy(b.data(), b.size());
    std::size_t n = 1;
    for (auto d : a.shape) n *= static_cast<std::size_t>(d);
    EXPECT_EQ(n, a.data.size());
    EXPECT_LE(a.data.size() * 2, b.size());
    return true;
  } catch (const lowp::error&) {
    return false;
  }
}

// Deterministic mutation fuzzing of valid files (the libFuzzer target fuzz_npy explores further).
// Each mutant must parse consistently or throw lowp::error; nothing else may escape.
TEST(Npy, RandomMutationsNeverCrashOrEscapeAsOtherExceptions) {
  std::vector<std::vector<unsigned char>> seeds;
  for (const char* f : {"f32_c_2x3.npy", "f64_fortran_2x3x4.npy", "f16_c_7.npy", "f32_v2_2x2.npy",
                        "f32_scalar.npy", "f32_bigendian_4.npy"})
    seeds.push_back(lowp::io::read_file_bytes(fixture(f)));
  std::mt19937 rng(12345);
  const char* tokens[] = {"(", ")", ",", "'", "<f8", ">f2", "True", "False", "}", "{", "99999999999",
                          "0", "'shape'", "'descr'", "\n", " ", "L", ":"};
  int parsed = 0, rejected = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::vector<unsigned char> b = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !b.empty(); ++e) {
      const std::size_t pos = rng() % b.size();
      switch (rng() % 5) {
        case 0: b[pos] = static_cast<unsigned char>(rng()); break;
        case 1: b[pos] ^= static_cast<unsigned char>(1u << (rng() % 8)); break;
        case 2: b.resize(pos); break;
        case 3: b.erase(b.begin() + static_cast<std::ptrdiff_t>(pos)); break;
        default: {
          const std::string t = tokens[rng() % (sizeof tokens / sizeof *tokens)];
          b.insert(b.begin() + static_cast<std::ptrdiff_t>(pos), t.begin(), t.end());
        }
      }
    }
    ++(parse_or_reject(b) ? parsed : rejected);
  }
  EXPECT_GT(rejected, 10000);
  EXPECT_GT(parsed, 100);  // some mutations (data bytes) stay valid files
}

// The libFuzzer corpus (inputs fuzz_npy found interesting) replayed on every test run, so a
// reader change that crashes on one of them fails here, not only under a manual fuzzing session.
TEST(Npy, FuzzCorpusParsesConsistentlyOrIsRejected) {
  int files = 0, parsed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(fixture("corpus"))) {
    const std::vector<unsigned char> b = lowp::io::read_file_bytes(entry.path().string());
    SCOPED_TRACE(entry.path().string());
    parsed += parse_or_reject(b) ? 1 : 0;
    ++files;
  }
  EXPECT_GE(files, 50) << "tests/data/io/corpus is missing or nearly empty";
  EXPECT_GT(parsed, 0);
  EXPECT_LT(parsed, files);
}

}  // namespace
