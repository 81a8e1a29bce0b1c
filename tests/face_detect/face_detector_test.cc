// SPDX-License-Identifier: Apache-2.0
// FaceDetector on real pictures: the default Haar cascade finds the one face in Debian's Grace
// Hopper photo (also scaled up past the working width, and from a decoder-shrunk frame mapped
// back to source pixels) and nothing in a test pattern; bad models are refused; a DNN model
// (a weightless Caffe net whose output is fixed SSD rows) goes through the confidence filter.
#include "consumers/face_detect/face_detector.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/face_detect/face_test_util.h"
#include "tests/support/temp_dir.h"

namespace sluice::consumers::face_detect {
namespace {

using testing::ExpectOverFace;
using testing::FromMat;
using testing::kFacePhoto;

std::unique_ptr<FaceDetector> Haar() {
  auto d = FaceDetector::Create({});
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? std::move(*d) : nullptr;
}

TEST(FaceDetectorTest, FindsTheFaceInThePhoto) {
  REQUIRE_FACE_PHOTO();
  auto detector = Haar();
  ASSERT_NE(detector, nullptr);
  EXPECT_EQ(detector->model_name(), "haar:haarcascade_frontalface_default");
  const cv::Mat photo = cv::imread(kFacePhoto);
  ASSERT_FALSE(photo.empty());
  auto faces = detector->Detect(FromMat(photo));
  ASSERT_TRUE(faces.ok()) << faces.status().ToString();
  ASSERT_EQ(faces->size(), 1u);
  ExpectOverFace((*faces)[0]);
  EXPECT_GT((*faces)[0].score, 0);
}

TEST(FaceDetectorTest, LargeFramesAreScaledDownAndBoxesMappedBack) {
  REQUIRE_FACE_PHOTO();
  auto detector = Haar();
  ASSERT_NE(detector, nullptr);
  // The photo scaled 1.6x into a 1920x1080 frame on a dark or light background (large uniform
  // areas, which defeat a global histogram equalisation): detection runs at 640 wide.
  const cv::Mat photo = cv::imread(kFacePhoto);
  cv::Mat big;
  cv::resize(photo, big, cv::Size(), 1.6, 1.6, cv::INTER_CUBIC);
  for (const int background : {0, 30, 128, 230}) {
    cv::Mat frame(1080, 1920, CV_8UC3, cv::Scalar::all(background));
    big.copyTo(frame(cv::Rect(500, 60, big.cols, big.rows)));
    auto faces = detector->Detect(FromMat(frame));
    ASSERT_TRUE(faces.ok()) << faces.status().ToString();
    ASSERT_EQ(faces->size(), 1u) << "background " << background;
    ExpectOverFace((*faces)[0], 1.6, 500, 60);
  }
}

TEST(FaceDetectorTest, BoxesOfAShrunkFrameAreInSourcePixels) {
  REQUIRE_FACE_PHOTO();
  auto detector = Haar();
  ASSERT_NE(detector, nullptr);
  const cv::Mat photo = cv::imread(kFacePhoto);
  cv::Mat half;
  cv::resize(photo, half, cv::Size(256, 300), 0, 0, cv::INTER_AREA);
  auto faces = detector->Detect(FromMat(half), 512, 600);
  ASSERT_TRUE(faces.ok()) << faces.status().ToString();
  ASSERT_EQ(faces->size(), 1u);
  ExpectOverFace((*faces)[0]);
}

TEST(FaceDetectorTest, NoFaceInATestPattern) {
  auto detector = Haar();
  ASSERT_NE(detector, nullptr);
  for (const cv::Size size : {cv::Size(640, 480), cv::Size(1280, 720)}) {
    auto faces = detector->Detect(FromMat(testing::TestPattern(size.width, size.height)));
    ASSERT_TRUE(faces.ok()) << faces.status().ToString();
    EXPECT_TRUE(faces->empty()) << size;
  }
}

TEST(FaceDetectorTest, ShortOrEmptyFramesAreInvalid) {
  auto detector = Haar();
  ASSERT_NE(detector, nullptr);
  EXPECT_EQ(detector->Detect({}).status().code(), StatusCode::kInvalidArgument);
  media::DecodedFrame f;
  f.width = 64;
  f.height = 64;
  f.stride = 192;
  f.bgr.resize(100);
  EXPECT_EQ(detector->Detect(f).status().code(), StatusCode::kInvalidArgument);
}

TEST(FaceDetectorTest, BadModelsAreRefused) {
  sluice::testing::TempDir dir;
  EXPECT_EQ(FaceDetector::Create({.model_path = dir.path() + "/missing.xml"}).status().code(),
            StatusCode::kInvalidArgument);
  const std::string junk = dir.path() + "/junk.xml";
  std::ofstream(junk) << "<opencv_storage></opencv_storage>";
  EXPECT_EQ(FaceDetector::Create({.model_path = junk}).status().code(),
            StatusCode::kInvalidArgument);
  const std::string onnx = dir.path() + "/junk.onnx";
  std::ofstream(onnx) << "not a model";
  EXPECT_EQ(FaceDetector::Create({.model_path = onnx}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(FaceDetectorTest, OtherCascadesLoadByPath) {
  const std::string lbp = "/usr/share/opencv4/lbpcascades/lbpcascade_frontalface_improved.xml";
  if (!std::ifstream(lbp).good()) GTEST_SKIP() << "no LBP cascade installed";
  auto d = FaceDetector::Create({.model_path = lbp});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ((*d)->model_name(), "lbp:lbpcascade_frontalface_improved");
}

// A Caffe net without weights whose output is two fixed SSD rows: (0, 1, 0.9, .25, .1, .75, .6)
// and (0, 1, 0.3, ...). Global pooling of the input feeds Power layers with scale 0, whose shift
// is the constant.
std::string FixedSsdPrototxt() {
  const float rows[2][7] = {{0, 1, 0.9f, 0.25f, 0.1f, 0.75f, 0.6f},
                            {0, 1, 0.3f, 0.1f, 0.1f, 0.2f, 0.2f}};
  std::string p = R"(name: "fixed_ssd"
input: "data"
input_shape { dim: 1 dim: 3 dim: 300 dim: 300 }
layer { name: "pool" type: "Pooling" bottom: "data" top: "pool"
        pooling_param { pool: AVE global_pooling: true } }
layer { name: "slice" type: "Slice" bottom: "pool" top: "one" top: "s1" top: "s2"
        slice_param { axis: 1 slice_point: 1 slice_point: 2 } }
)";
  for (int r = 0; r < 2; ++r) {
    std::string concat = "layer { name: \"row" + std::to_string(r) +
                         "\" type: \"Concat\" concat_param { axis: 3 } top: \"row" +
                         std::to_string(r) + "\"";
    for (int c = 0; c < 7; ++c) {
      const std::string name = "v" + std::to_string(r) + std::to_string(c);
      p += "layer { name: \"" + name + "\" type: \"Power\" bottom: \"one\" top: \"" + name +
           "\" power_param { power: 1 scale: 0 shift: " + std::to_string(rows[r][c]) + " } }\n";
      concat += " bottom: \"" + name + "\"";
    }
    p += concat + " }\n";
  }
  p += R"(layer { name: "out" type: "Concat" bottom: "row0" bottom: "row1" top: "out"
        concat_param { axis: 2 } }
)";
  return p;
}

TEST(FaceDetectorTest, DnnModelKeepsDetectionsAboveTheConfidence) {
  sluice::testing::TempDir dir;
  const std::string model = dir.path() + "/fixed_ssd.prototxt";
  std::ofstream(model) << FixedSsdPrototxt();
  auto d = FaceDetector::Create({.model_path = model, .confidence = 0.5f});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ((*d)->model_name(), "dnn:fixed_ssd");
  auto faces = (*d)->Detect(FromMat(testing::TestPattern(640, 480)), 1280, 720);
  ASSERT_TRUE(faces.ok()) << faces.status().ToString();
  ASSERT_EQ(faces->size(), 1u);
  const FaceBox& b = (*faces)[0];
  EXPECT_EQ(b.x, 320);
  EXPECT_EQ(b.y, 72);
  EXPECT_EQ(b.w, 640);
  EXPECT_EQ(b.h, 360);
  EXPECT_NEAR(b.score, 0.9, 1e-6);

  auto all = FaceDetector::Create({.model_path = model, .confidence = 0.2f});
  ASSERT_TRUE(all.ok());
  auto both = (*all)->Detect(FromMat(testing::TestPattern(640, 480)));
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_EQ(both->size(), 2u);
}

}  // namespace
}  // namespace sluice::consumers::face_detect
