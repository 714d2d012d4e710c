// ops/complex.cpp: real, imag, abs of complex tensors, view_as_real, view_as_complex,
// complex(re, im), and the printing of complex tensors: values, views sharing storage,
// gradcheck in c128/f64 (also on non-contiguous inputs), and argument errors.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/test_support.h"

namespace fftune {
namespace {

using testing::random_tensor;

TEST(Complex, RealImagAbsValues) {
  Tensor z = from_vector<c128_t>({{1, 2}, {-3, 0.5}, {0, 0}}, {3});
  EXPECT_EQ(to_vector<double>(real(z)), (std::vector<double>{1, -3, 0}));
  EXPECT_EQ(to_vector<double>(imag(z)), (std::vector<double>{2, 0.5, 0}));
  EXPECT_EQ(abs(z).dtype(), DType::f64);
  const std::vector<double> a = to_vector<double>(abs(z));
  EXPECT_DOUBLE_EQ(a[0], std::sqrt(5.0));
  EXPECT_DOUBLE_EQ(a[1], std::hypot(3.0, 0.5));
  EXPECT_EQ(a[2], 0.0);
  Tensor z64 = z.to(DType::c64);
  EXPECT_EQ(real(z64).dtype(), DType::f32);
  EXPECT_EQ(complex_abs(z64).dtype(), DType::f32);
  // real() of a real tensor is the tensor itself; imag() of one is an error.
  Tensor x = from_vector<double>({1, 2}, {2});
  EXPECT_TRUE(real(x).is_same(x));
  EXPECT_FFTUNE_ERROR(imag(x), "imag: expected a complex tensor");
  EXPECT_FFTUNE_ERROR(complex_abs(x), "expects a complex tensor");
}

TEST(Complex, ViewAsRealSharesStorage) {
  Tensor z = from_vector<c64_t>({{1, 2}, {3, 4}, {5, 6}, {7, 8}}, {2, 2});
  Tensor r = view_as_real(z);
  EXPECT_EQ(r.dtype(), DType::f32);
  EXPECT_EQ(r.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(r.strides(), (Shape{4, 2, 1}));
  EXPECT_EQ(to_vector<float>(r), (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));
  // A write through the real view is seen by the complex tensor (and bumps its version).
  const uint64_t v0 = z.version();
  r.select(-1, 1).select(0, 1).fill_(-1);
  EXPECT_GT(z.version(), v0);
  EXPECT_EQ(to_vector<c64_t>(z)[2], c64_t(5, -1));
  EXPECT_EQ(to_vector<c64_t>(z)[3], c64_t(7, -1));
  // A transposed complex tensor gives a strided real view.
  Tensor rt = view_as_real(z.t());
  EXPECT_EQ(rt.strides(), (Shape{2, 4, 1}));
  EXPECT_EQ(to_vector<float>(rt), (std::vector<float>{1, 2, 5, -1, 3, 4, 7, -1}));
  // real() and imag() are views too.
  EXPECT_TRUE(real(z).storage() == z.storage());
  EXPECT_EQ(imag(z).offset(), 1);
}

TEST(Complex, ViewAsComplexRoundTrip) {
  Tensor x = from_vector<double>({1, 2, 3, 4, 5, 6}, {3, 2});
  Tensor z = view_as_complex(x);
  EXPECT_EQ(z.dtype(), DType::c128);
  EXPECT_EQ(z.shape(), (Shape{3}));
  EXPECT_TRUE(z.storage() == x.storage());
  EXPECT_EQ(to_vector<c128_t>(z), (std::vector<c128_t>{{1, 2}, {3, 4}, {5, 6}}));
  EXPECT_EQ(to_vector<double>(view_as_real(z)), to_vector<double>(x));
  // A slice that starts on a whole pair is still viewable.
  EXPECT_EQ(to_vector<c128_t>(view_as_complex(x.narrow(0, 1, 2))),
            (std::vector<c128_t>{{3, 4}, {5, 6}}));
}

TEST(Complex, ViewAsComplexErrors) {
  Tensor x = random_tensor({4, 3}, DType::f32, 1, false);
  EXPECT_FFTUNE_ERROR(view_as_complex(x), "last dim must have size 2");
  Tensor y = random_tensor({2, 4}, DType::f64, 1, false);
  EXPECT_FFTUNE_ERROR(view_as_complex(y.t()), "last stride 1");  // (4, 2) with strides (1, 4)
  Tensor w = random_tensor({3, 3}, DType::f64, 1, false);
  EXPECT_FFTUNE_ERROR(view_as_complex(w.narrow(1, 0, 2)), "even other strides");  // stride 3
  Tensor v = random_tensor({5}, DType::f64, 1, false);
  EXPECT_FFTUNE_ERROR(view_as_complex(v.narrow(0, 1, 2)), "offset");  // odd offset
  EXPECT_FFTUNE_ERROR(view_as_complex(zeros({3, 2}, DType::i64)), "expected a f32 or f64");
  EXPECT_FFTUNE_ERROR(view_as_real(x), "expected a complex tensor");
}

TEST(Complex, ComplexFromParts) {
  Tensor re = from_vector<double>({1, 2}, {2, 1});
  Tensor im = from_vector<double>({10, 20, 30}, {3});
  Tensor z = complex(re, im);
  EXPECT_EQ(z.dtype(), DType::c128);
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(to_vector<c128_t>(z),
            (std::vector<c128_t>{{1, 10}, {1, 20}, {1, 30}, {2, 10}, {2, 20}, {2, 30}}));
  EXPECT_EQ(complex(re.to(DType::f32), re.to(DType::f32)).dtype(), DType::c64);
  EXPECT_FFTUNE_ERROR(complex(re, im.to(DType::f32)), "complex");
  EXPECT_FFTUNE_ERROR(complex(z, z), "complex: expected f32 or f64 parts");
}

TEST(Complex, Printing) {
  Tensor z = from_vector<c64_t>({{1, 2}, {0.5, -3}}, {2});
  const std::string s = z.to_string();
  EXPECT_NE(s.find("dtype=c64"), std::string::npos) << s;
  EXPECT_NE(s.find("[1+2j, 0.5-3j]"), std::string::npos) << s;
}

TEST(Complex, Gradcheck) {
  using F = Tensor (*)(const Tensor&);
  const std::vector<std::pair<const char*, F>> complex_to_any = {
      {"real", [](const Tensor& z) { return real(z); }},
      {"imag", [](const Tensor& z) { return imag(z); }},
      {"abs", [](const Tensor& z) { return abs(z); }},
      {"view_as_real", [](const Tensor& z) { return view_as_real(z); }},
      // Through a view and back: the gradient crosses both views.
      {"view_as_complex(view_as_real)",
       [](const Tensor& z) { return mul(view_as_complex(view_as_real(z)), z); }},
  };
  for (const Shape& shape : {Shape{}, Shape{5}, Shape{3, 4}}) {
    for (auto [name, f] : complex_to_any) {
      SCOPED_TRACE(name);
      EXPECT_GRADCHECK([f = f](const std::vector<Tensor>& in) { return f(in[0]); },
                       {random_tensor(shape, DType::c128, 3)});
    }
  }
  // Non-contiguous complex inputs.
  for (auto [name, f] : complex_to_any) {
    SCOPED_TRACE(name);
    EXPECT_GRADCHECK([f = f](const std::vector<Tensor>& in) { return f(in[0].t()); },
                     {random_tensor({4, 3}, DType::c128, 4)});
  }
  // view_as_complex of a real (…, 2) leaf, contiguous and transposed.
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return view_as_complex(in[0]); },
                   {random_tensor({3, 2}, DType::f64, 5)});
  EXPECT_GRADCHECK(
      [](const std::vector<Tensor>& in) { return view_as_complex(in[0].transpose(0, 1)); },
      {random_tensor({4, 3, 2}, DType::f64, 6)});
  // complex(re, im) with broadcasting, and a non-contiguous part.
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return complex(in[0], in[1]); },
                   {random_tensor({2, 1}, DType::f64, 7), random_tensor({3}, DType::f64, 8)});
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return complex(in[0].t(), in[1]); },
                   {random_tensor({3, 2}, DType::f64, 9), random_tensor({2, 3}, DType::f64, 10)});
}

TEST(Complex, AbsGradientIsZeroAtZero) {
  Tensor z = from_vector<c128_t>({{0, 0}, {3, 4}}, {2}).set_requires_grad(true);
  abs(z).backward(from_vector<double>({1, 2}, {2}));
  const std::vector<c128_t> dz = to_vector<c128_t>(z.grad());
  EXPECT_EQ(dz[0], c128_t(0, 0));
  EXPECT_NEAR(dz[1].real(), 2 * 3.0 / 5, 1e-15);
  EXPECT_NEAR(dz[1].imag(), 2 * 4.0 / 5, 1e-15);
}

}  // namespace
}  // namespace fftune
