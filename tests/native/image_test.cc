// Preprocessing (resize, fit, normalise, layout) against hand-computed values and a naive 2-D
// reference, and decoding of real photos and of damaged bytes.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "support/test_photos.h"
#include "webcnn/image.h"

using namespace webcnn;

namespace {

// Raw pixel values out: scale 1, mean 0, std 1.
PreprocessOptions raw(int w, int h, FitMode fit, TensorLayout layout = TensorLayout::kNCHW) {
  PreprocessOptions o;
  o.width = w;
  o.height = h;
  o.fit = fit;
  o.scale = 1.0f;
  o.layout = layout;
  return o;
}

// An RGB8 image whose three channels all hold `gray` (row-major, height rows of width values).
Image gray_image(int width, int height, const std::vector<uint8_t>& gray) {
  Image img;
  img.width = width;
  img.height = height;
  img.format = PixelFormat::kRGB8;
  for (uint8_t g : gray) img.pixels.insert(img.pixels.end(), {g, g, g});
  return img;
}

std::vector<float> channel0(const Tensor& t) {  // NCHW: the R plane
  const float* d = t.data<float>();
  return std::vector<float>(d, d + t.shape()[2] * t.shape()[3]);
}

// The naive reference: every output pixel as a direct 2-D weighted sum over every source pixel, with
// the placement and triangle kernel worked out from the definitions in image.h, in double precision.
std::vector<double> reference_preprocess(const Image& img, const PreprocessOptions& o) {
  const int W = o.width, H = o.height;
  double src_x = 0, src_y = 0, src_w = img.width, src_h = img.height;
  int dst_x = 0, dst_y = 0, dst_w = W, dst_h = H;
  const double sx = double(W) / img.width, sy = double(H) / img.height;
  if (o.fit == FitMode::kCenterCrop) {
    const double s = std::max(sx, sy) / o.crop_fraction;
    src_w = W / s;
    src_h = H / s;
    src_x = (img.width - src_w) / 2;
    src_y = (img.height - src_h) / 2;
  } else if (o.fit == FitMode::kLetterbox) {
    const double s = std::min(sx, sy);
    dst_w = std::max(1, std::min(W, int(std::lround(img.width * s))));
    dst_h = std::max(1, std::min(H, int(std::lround(img.height * s))));
    dst_x = (W - dst_w) / 2;
    dst_y = (H - dst_h) / 2;
  }
  const double step_x = src_w / dst_w, step_y = src_h / dst_h;
  const double rad_x = std::max(1.0, step_x), rad_y = std::max(1.0, step_y);
  auto tri = [](double t) { return std::max(0.0, 1.0 - std::fabs(t)); };
  std::vector<double> out(size_t(3) * W * H);
  auto put = [&](int x, int y, int c, double v) {
    const double n = (v * o.scale - o.mean[c]) / o.std[c];
    if (o.layout == TensorLayout::kNCHW) out[(size_t(c) * H + y) * W + x] = n;
    else out[(size_t(y) * W + x) * 3 + c] = n;
  };
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      if (x < dst_x || x >= dst_x + dst_w || y < dst_y || y >= dst_y + dst_h) {
        for (int c = 0; c < 3; ++c) put(x, y, c, o.pad_color[c]);
        continue;
      }
      const double cx = src_x + (x - dst_x + 0.5) * step_x, cy = src_y + (y - dst_y + 0.5) * step_y;
      double acc[3] = {0, 0, 0}, wsum_x = 0, wsum_y = 0;
      for (int i = 0; i < img.width; ++i) wsum_x += tri((i + 0.5 - cx) / rad_x);
      for (int j = 0; j < img.height; ++j) wsum_y += tri((j + 0.5 - cy) / rad_y);
      for (int j = 0; j < img.height; ++j)
        for (int i = 0; i < img.width; ++i) {
          const double w = tri((i + 0.5 - cx) / rad_x) * tri((j + 0.5 - cy) / rad_y);
          for (int c = 0; c < 3; ++c) acc[c] += w * img.pixels[(size_t(j) * img.width + i) * 3 + c];
        }
      for (int c = 0; c < 3; ++c) put(x, y, c, acc[c] / (wsum_x * wsum_y));
    }
  return out;
}

std::string testdata(const char* name) { return webcnn_test::test_photo(name); }

}  // namespace

TEST_CASE("preprocess: hand-computed resizes (half-pixel centres, area-correct shrink)") {
  SUBCASE("2x2 -> 1x1 averages the four pixels") {
    Image img = gray_image(2, 2, {0, 10, 20, 30});
    Tensor t = preprocess_image(img.view(), raw(1, 1, FitMode::kStretch)).value();
    CHECK(t.shape() == Shape{1, 3, 1, 1});
    CHECK(t.data<float>()[0] == doctest::Approx(15.0f));
  }
  SUBCASE("2 -> 4 enlarges bilinearly with edge clamping: 0,100 -> 0,25,75,100") {
    Image img = gray_image(2, 1, {0, 100});
    Tensor t = preprocess_image(img.view(), raw(4, 1, FitMode::kStretch)).value();
    const std::vector<float> r = channel0(t);
    CHECK(r[0] == doctest::Approx(0.0f));
    CHECK(r[1] == doctest::Approx(25.0f));
    CHECK(r[2] == doctest::Approx(75.0f));
    CHECK(r[3] == doctest::Approx(100.0f));
  }
  SUBCASE("4 -> 1 reaches every source pixel (plain bilinear would give 0)") {
    // Centre 2.0, radius 4: weights 0.625, 0.875, 0.875, 0.625 (sum 3); 120·0.625/3 = 25.
    Image img = gray_image(4, 1, {0, 0, 0, 120});
    Tensor t = preprocess_image(img.view(), raw(1, 1, FitMode::kStretch)).value();
    CHECK(t.data<float>()[0] == doctest::Approx(25.0f));
  }
  SUBCASE("4 -> 2 halves with a radius-2 triangle") {
    // Output 0: centre 1.0, source 0,1,2 weigh 0.75,0.75,0.25 → (0·.75 + 40·.75 + 80·.25)/1.75.
    Image img = gray_image(4, 1, {0, 40, 80, 120});
    Tensor t = preprocess_image(img.view(), raw(2, 1, FitMode::kStretch)).value();
    const std::vector<float> r = channel0(t);
    CHECK(r[0] == doctest::Approx(50.0 / 1.75));
    CHECK(r[1] == doctest::Approx(120.0 - 50.0 / 1.75));  // mirror image
  }
}

TEST_CASE("preprocess: normalisation and layouts") {
  Image img;
  img.width = 1;
  img.height = 1;
  img.format = PixelFormat::kRGB8;
  img.pixels = {255, 51, 0};
  PreprocessOptions o = raw(2, 1, FitMode::kStretch);
  o.scale = 1.0f / 255.0f;
  o.mean = {0.5f, 0.2f, 0.0f};
  o.std = {0.25f, 0.5f, 2.0f};
  // (1 − 0.5)/0.25 = 2, (0.2 − 0.2)/0.5 = 0, 0/2 = 0.
  Tensor nchw = preprocess_image(img.view(), o).value();
  CHECK(nchw.shape() == Shape{1, 3, 1, 2});
  const std::vector<float> expect_nchw = {2, 2, 0, 0, 0, 0};
  for (int i = 0; i < 6; ++i) CHECK(nchw.data<float>()[i] == doctest::Approx(expect_nchw[i]).epsilon(1e-6));
  o.layout = TensorLayout::kNHWC;
  Tensor nhwc = preprocess_image(img.view(), o).value();
  CHECK(nhwc.shape() == Shape{1, 1, 2, 3});
  const std::vector<float> expect_nhwc = {2, 0, 0, 2, 0, 0};
  for (int i = 0; i < 6; ++i) CHECK(nhwc.data<float>()[i] == doctest::Approx(expect_nhwc[i]).epsilon(1e-6));
}

TEST_CASE("preprocess: RGBA ignores alpha and honours the row stride") {
  // 2x2 RGBA with 4 bytes of padding per row; alpha values are noise.
  const std::vector<uint8_t> px = {10, 20, 30, 99, 10, 20, 30, 7,   1, 1, 1, 1,  //
                                   10, 20, 30, 0,  10, 20, 30, 255, 2, 2, 2, 2};
  ImageView v{px.data(), 2, 2, PixelFormat::kRGBA8, 12};
  Tensor t = preprocess_image(v, raw(1, 1, FitMode::kStretch, TensorLayout::kNHWC)).value();
  CHECK(t.data<float>()[0] == doctest::Approx(10.0f));
  CHECK(t.data<float>()[1] == doctest::Approx(20.0f));
  CHECK(t.data<float>()[2] == doctest::Approx(30.0f));
}

TEST_CASE("preprocess: fit modes place the picture as documented") {
  // 4x2 picture, columns 0..3 hold 0, 100, 200, 250 on both rows.
  Image wide = gray_image(4, 2, {0, 100, 200, 250, 0, 100, 200, 250});
  SUBCASE("centre crop into 2x2 keeps the middle columns at scale 1") {
    const std::vector<float> r = channel0(preprocess_image(wide.view(), raw(2, 2, FitMode::kCenterCrop)).value());
    CHECK(r == std::vector<float>{100, 200, 100, 200});
  }
  SUBCASE("letterbox into 4x4 pads a row above and below") {
    PreprocessOptions o = raw(4, 4, FitMode::kLetterbox);
    o.pad_color = {7, 8, 9};
    Tensor t = preprocess_image(wide.view(), o).value();
    const std::vector<float> r = channel0(t);
    CHECK(r == std::vector<float>{7, 7, 7, 7, 0, 100, 200, 250, 0, 100, 200, 250, 7, 7, 7, 7});
    CHECK(t.data<float>()[16 * 2] == 9.0f);  // the B plane's pad
  }
  SUBCASE("centre crop fraction 0.5 of a 4x4 into 2x2 is the central 2x2") {
    Image sq = gray_image(4, 4, {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32, 33});
    PreprocessOptions o = raw(2, 2, FitMode::kCenterCrop);
    o.crop_fraction = 0.5f;
    CHECK(channel0(preprocess_image(sq.view(), o).value()) == std::vector<float>{11, 12, 21, 22});
  }
}

TEST_CASE("preprocess: matches the naive 2-D reference on random pictures and options") {
  // Tolerance: float accumulation of ≤ a few hundred taps of 0..255 values, then ×1/255/std.
  std::mt19937 rng(1234);
  const FitMode fits[] = {FitMode::kCenterCrop, FitMode::kLetterbox, FitMode::kStretch};
  for (int trial = 0; trial < 60; ++trial) {
    std::uniform_int_distribution<int> side(1, 37), byte(0, 255);
    Image img;
    img.width = side(rng);
    img.height = side(rng);
    img.format = PixelFormat::kRGB8;
    img.pixels.resize(size_t(img.width) * img.height * 3);
    for (uint8_t& p : img.pixels) p = static_cast<uint8_t>(byte(rng));
    PreprocessOptions o;
    o.width = side(rng);
    o.height = side(rng);
    o.fit = fits[trial % 3];
    o.layout = trial % 2 ? TensorLayout::kNHWC : TensorLayout::kNCHW;
    o.crop_fraction = trial % 5 == 0 ? 0.875f : 1.0f;
    o.pad_color = {static_cast<uint8_t>(byte(rng)), 114, 0};
    o.mean = {0.485f, 0.456f, 0.406f};
    o.std = {0.229f, 0.224f, 0.225f};
    CAPTURE(trial);
    CAPTURE(img.width);
    CAPTURE(img.height);
    CAPTURE(o.width);
    CAPTURE(o.height);
    Tensor t = preprocess_image(img.view(), o).value();
    const std::vector<double> ref = reference_preprocess(img, o);
    double worst = 0;
    for (size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, std::fabs(ref[i] - t.data<float>()[i]));
    CHECK(worst <= 1e-4);
  }
}

TEST_CASE("preprocess: refuses bad arguments with a message") {
  Image img = gray_image(2, 2, {0, 0, 0, 0});
  PreprocessOptions o = raw(2, 2, FitMode::kStretch);
  CHECK_FALSE(preprocess_image(ImageView{}, o).is_ok());
  ImageView bad_stride{img.pixels.data(), 2, 2, PixelFormat::kRGB8, 5};
  CHECK(preprocess_image(bad_stride, o).status().message().find("stride") != std::string::npos);
  PreprocessOptions big = o;
  big.width = kMaxPreprocessSide + 1;
  CHECK_FALSE(preprocess_image(img.view(), big).is_ok());
  PreprocessOptions zero_std = o;
  zero_std.std[1] = 0;
  CHECK(preprocess_image(img.view(), zero_std).status().message().find("std") != std::string::npos);
  PreprocessOptions bad_fraction = o;
  bad_fraction.crop_fraction = 0;
  CHECK_FALSE(preprocess_image(img.view(), bad_fraction).is_ok());
  float small[11];
  CHECK_FALSE(preprocess_image_into(img.view(), o, small, 11).is_ok());
}

TEST_CASE("decode: real photos (BMP, JPEG) come out as RGB8 of the documented size") {
  Result<Image> hopper = decode_image_file(testdata("grace_hopper.bmp"));
  REQUIRE_MESSAGE(hopper.is_ok(), hopper.status().message());
  CHECK(hopper->width == 512);
  CHECK(hopper->height == 600);
  CHECK(hopper->format == PixelFormat::kRGB8);
  CHECK(hopper->pixels.size() == size_t(512) * 600 * 3);
  double mean = 0;
  for (uint8_t p : hopper->pixels) mean += p;
  mean /= double(hopper->pixels.size());
  CHECK(mean > 40);  // a real portrait, not a black or white frame
  CHECK(mean < 215);

  Result<Image> pets = decode_image_file(testdata("pets.jpg"));
  REQUIRE_MESSAGE(pets.is_ok(), pets.status().message());
  CHECK(pets->width == 512);
  CHECK(pets->height == 430);

  // And through preprocessing: the centre crop of the real photo agrees with the naive reference.
  PreprocessOptions o;
  o.width = 32;
  o.height = 24;
  Tensor t = preprocess_image(hopper->view(), o).value();
  const std::vector<double> ref = reference_preprocess(*hopper, o);
  double worst = 0;
  for (size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, std::fabs(ref[i] - t.data<float>()[i]));
  CHECK(worst <= 1e-4);
}

TEST_CASE("decode: damaged, foreign and oversized bytes give clear errors") {
  const std::vector<uint8_t> junk = {'h', 'e', 'l', 'l', 'o', 0, 1, 2, 3, 4};
  Result<Image> r = decode_image(junk.data(), junk.size());
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("not a JPEG, PNG or BMP") != std::string::npos);
  CHECK_FALSE(decode_image(nullptr, 0).is_ok());

  // A GIF is refused even though stb could read it.
  const std::vector<uint8_t> gif = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0};
  CHECK_FALSE(decode_image(gif.data(), gif.size()).is_ok());

  // The first 200 bytes of a real JPEG: the header may parse, the scan data is missing.
  std::vector<uint8_t> jpeg;
  {
    Result<Image> ok = decode_image_file(testdata("pets.jpg"));
    REQUIRE(ok.is_ok());
    FILE* f = std::fopen(testdata("pets.jpg").c_str(), "rb");
    REQUIRE(f);
    jpeg.resize(200);
    REQUIRE(std::fread(jpeg.data(), 1, jpeg.size(), f) == jpeg.size());
    std::fclose(f);
  }
  Result<Image> cut = decode_image(jpeg.data(), jpeg.size());
  REQUIRE_FALSE(cut.is_ok());
  CHECK(cut.status().message().find("JPEG") != std::string::npos);

  // A PNG header claiming 20000x20000 pixels is refused before any pixel is allocated.
  std::vector<uint8_t> png = {0x89, 'P',  'N',  'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0,
                              0,    0x4e, 0x20, 0,   0,    0x4e, 0x20, 8,    2, 0, 0, 0,  0,   0,   0,   0};
  Result<Image> huge = decode_image(png.data(), png.size());
  REQUIRE_FALSE(huge.is_ok());
  CHECK(huge.status().message().find("PNG") != std::string::npos);

  // A BMP header claiming 10000x10000 (under the side cap, 100 Mpx over the pixel cap).
  std::vector<uint8_t> bmp(54, 0);
  bmp[0] = 'B';
  bmp[1] = 'M';
  bmp[10] = 54;  // pixel data offset
  bmp[14] = 40;  // BITMAPINFOHEADER
  bmp[18] = 0x10;
  bmp[19] = 0x27;  // width 10000
  bmp[22] = 0x10;
  bmp[23] = 0x27;  // height 10000
  bmp[26] = 1;     // planes
  bmp[28] = 24;    // bits per pixel
  Result<Image> wide = decode_image(bmp.data(), bmp.size());
  REQUIRE_FALSE(wide.is_ok());
  CHECK(wide.status().message().find("exceeds the limit") != std::string::npos);
  // The same header, 2000x2000 with no pixel data: truncated. With a compression value BMP does not
  // define, stb would read the missing pixels as zeros too; refused by name, and RLE too.
  bmp[18] = 0xD0;
  bmp[19] = 0x07;  // width 2000
  bmp[22] = 0xD0;
  bmp[23] = 0x07;  // height 2000
  Result<Image> missing = decode_image(bmp.data(), bmp.size());
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().message().find("truncated BMP") != std::string::npos);
  bmp[33] = 0xFF;  // compression 0xff000000
  Result<Image> unknown = decode_image(bmp.data(), bmp.size());
  REQUIRE_FALSE(unknown.is_ok());
  CHECK(unknown.status().message().find("unknown compression method (4278190080)") != std::string::npos);
  bmp[33] = 0;
  bmp[30] = 1;  // BI_RLE8
  Result<Image> rle = decode_image(bmp.data(), bmp.size());
  REQUIRE_FALSE(rle.is_ok());
  CHECK(rle.status().message().find("compressed BMP (RLE inside) is not supported") != std::string::npos);
  // A file ending inside the bits-per-pixel field: stb reads the missing byte as 0, so 8 bits per pixel,
  // and so must the size check (fuzz regression image_fuzzer/bmp-bits-cut-short).
  std::vector<uint8_t> cut_bmp(bmp.begin(), bmp.begin() + 29);
  cut_bmp[18] = 0x00;
  cut_bmp[19] = 0x18;  // width 6144
  cut_bmp[22] = 0xE5;
  cut_bmp[23] = 0x23;  // height 9189
  cut_bmp[28] = 8;     // bits per pixel, low byte only
  Result<Image> cut_short = decode_image(cut_bmp.data(), cut_bmp.size());
  REQUIRE_FALSE(cut_short.is_ok());
  CHECK(cut_short.status().message().find("truncated BMP (6144x9189 at 8 bits per pixel") != std::string::npos);
  // A JPEG declaring 6148x8450 pixels in 17 bytes: every 8x8 block needs at least one bit, so at least
  // ceil(769 * 1057 / 8) = 101605 bytes (stb would decode zeros into a 156 MB image).
  const std::vector<uint8_t> empty_jpeg = {0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 8,    0x21, 0x02,
                                           0x18, 0x04, 1,    1,    0x11, 0,    0xFF, 0xD9};
  Result<Image> no_pixels = decode_image(empty_jpeg.data(), empty_jpeg.size());
  REQUIRE_FALSE(no_pixels.is_ok());
  CHECK(no_pixels.status().message().find("truncated JPEG (6148x8450 needs at least 101605 bytes") !=
        std::string::npos);

  // Guards for stb_image 2.27 bugs (nothings/stb#1289, #1178): refused before stb reads them.
  std::vector<uint8_t> dht = {0xFF, 0xD8, 0xFF, 0xC4, 0x00, 0x13, 0x00};  // one table header, 17 bytes
  dht.insert(dht.end(), 16, 0xFF);                                        // 16·255 codes > 256
  Result<Image> bad_dht = decode_image(dht.data(), dht.size());
  REQUIRE_FALSE(bad_dht.is_ok());
  CHECK(bad_dht.status().message().find("more than 256 codes") != std::string::npos);
  // Junk before the marker does not hide it (stb scans over junk between segments).
  std::vector<uint8_t> hidden = {0xFF, 0xD8, 'j', 'u', 'n', 'k'};
  hidden.insert(hidden.end(), dht.begin() + 2, dht.end());
  CHECK_FALSE(decode_image(hidden.data(), hidden.size()).is_ok());
  // SOF0, 8x8, three components with horizontal sampling 3, 2, 1: 3 is not a multiple of 2.
  const std::vector<uint8_t> sof = {0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 8, 0, 8,    0, 8,
                                    3,    1,    0x31, 0,    2,    0x21, 1, 3, 0x11, 1};
  Result<Image> bad_sof = decode_image(sof.data(), sof.size());
  REQUIRE_FALSE(bad_sof.is_ok());
  CHECK(bad_sof.status().message().find("fractional chroma subsampling") != std::string::npos);
  // A scan whose components use a quantisation table no DQT defined (stb would dequantise with whatever
  // the heap held: fuzz regression image_fuzzer/jpeg-dc-delta-overflow). Same SOF as above but 1x1
  // sampling, table 0, then SOS.
  const std::vector<uint8_t> no_dqt = {0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 8,    0, 8,  0, 8,    1,    1,    0x11, 0,
                                       0xFF, 0xDA, 0x00, 0x08, 1,    1,    0x00, 0, 63, 0, 0x12, 0x34, 0xFF, 0xD9};
  Result<Image> undefined_table = decode_image(no_dqt.data(), no_dqt.size());
  REQUIRE_FALSE(undefined_table.is_ok());
  CHECK(undefined_table.status().message().find("quantisation table the file never defines") != std::string::npos);
  // A chunk declaring more bytes than the file has (stb would first grow its buffer to that size).
  std::vector<uint8_t> long_idat(png.begin(), png.begin() + 33);  // signature + IHDR chunk
  const uint8_t idat[] = {0x7F, 0xFF, 0xFF, 0xF0, 'I', 'D', 'A', 'T', 0x78, 0x9C};
  long_idat.insert(long_idat.end(), idat, idat + sizeof(idat));
  Result<Image> truncated_png = decode_image(long_idat.data(), long_idat.size());
  REQUIRE_FALSE(truncated_png.is_ok());
  CHECK(truncated_png.status().message().find("truncated PNG (chunk 'IDAT' declares 2147483632 bytes") !=
        std::string::npos);
  // 16-bit PNGs (stb#1166) are refused by their IHDR bit depth.
  std::vector<uint8_t> png16 = png;
  png16[16] = png16[17] = png16[20] = png16[21] = 0;
  png16[19] = png16[23] = 4;  // 4x4
  png16[24] = 16;
  CHECK(decode_image(png16.data(), png16.size()).status().message().find("16-bit PNG") != std::string::npos);

  CHECK(decode_image_file("/nonexistent/x.png").status().message().find("cannot open") != std::string::npos);
}

namespace {
// A 24-bit BITMAPINFOHEADER BMP of width x rows, pixel (x, y) = (10x+y, 100+x, 200-y); rows bottom-up
// as usual, or top-down (negative height) when top_down.
std::vector<uint8_t> make_bmp24(int width, int rows, bool top_down) {
  const int row_bytes = (width * 3 + 3) / 4 * 4;
  std::vector<uint8_t> b(54 + static_cast<size_t>(row_bytes) * rows, 0);
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  b[0] = 'B';
  b[1] = 'M';
  put32(2, static_cast<uint32_t>(b.size()));
  put32(10, 54);
  put32(14, 40);
  put32(18, static_cast<uint32_t>(width));
  put32(22, static_cast<uint32_t>(top_down ? -rows : rows));
  b[26] = 1;
  b[28] = 24;
  for (int y = 0; y < rows; ++y) {
    const int stored = top_down ? y : rows - 1 - y;  // file row holding image row y
    for (int x = 0; x < width; ++x) {
      uint8_t* p = &b[54 + static_cast<size_t>(stored) * row_bytes + static_cast<size_t>(x) * 3];
      p[0] = static_cast<uint8_t>(200 - y);  // BGR
      p[1] = static_cast<uint8_t>(100 + x);
      p[2] = static_cast<uint8_t>(10 * x + y);
    }
  }
  return b;
}
}  // namespace

TEST_CASE("decode: a top-down BMP (negative height) reads the same pixels as its bottom-up twin") {
  const std::vector<uint8_t> up = make_bmp24(4, 3, false), down = make_bmp24(4, 3, true);
  Result<Image> a = decode_image(up.data(), up.size());
  Result<Image> b = decode_image(down.data(), down.size());
  REQUIRE(a.is_ok());
  REQUIRE_MESSAGE(b.is_ok(), b.status().message());
  CHECK(b.value().width == 4);
  CHECK(b.value().height == 3);
  CHECK(a.value().pixels == b.value().pixels);
  CHECK(b.value().pixels[0] == 0);                 // (0,0) red
  CHECK(b.value().pixels[(2 * 4 + 3) * 3] == 32);  // (3,2) red = 10*3 + 2
  CHECK(b.value().pixels[(2 * 4 + 3) * 3 + 2] == 198);
}

TEST_CASE("decode: an empty BMP (0x0) is called empty, not over the limit") {
  std::vector<uint8_t> bmp = make_bmp24(1, 1, false);
  bmp[18] = 0;  // width 0
  bmp[22] = 0;  // height 0
  Result<Image> r = decode_image(bmp.data(), bmp.size());
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK_MESSAGE(r.status().message().find("BMP image 0x0 is empty") != std::string::npos, r.status().message());
  CHECK(r.status().message().find("exceeds") == std::string::npos);
}
