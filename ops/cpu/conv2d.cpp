#include "ops/cpu/conv2d.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "core/threading.h"
#include "ops/cpu/gemm.h"

namespace fftune::cpu {
namespace {

// Images are processed in chunks whose column matrices together hold at most this many elements
// (64 MiB of f32), so a large batch never needs a batch-sized im2col buffer.
constexpr int64_t kColsBudget = int64_t{1} << 24;
// Element counts below which a copy loop runs on one thread: waking the pool costs more.
constexpr int64_t kParallelMin = int64_t{1} << 15;

void check_shape(const char* fn, const Conv2dShape& s) {
  FFTUNE_CHECK(s.batch >= 0 && s.in_channels > 0 && s.height > 0 && s.width > 0 &&
                   s.out_channels > 0 && s.kernel_h > 0 && s.kernel_w > 0,
               fn, ": batch must be >= 0 and channels, image and kernel sizes > 0, got N=", s.batch,
               " C=", s.in_channels, " H=", s.height, " W=", s.width, " O=", s.out_channels,
               " KH=", s.kernel_h, " KW=", s.kernel_w);
  FFTUNE_CHECK(s.stride_h > 0 && s.stride_w > 0 && s.pad_h >= 0 && s.pad_w >= 0, fn,
               ": strides must be > 0 and paddings >= 0, got stride ", s.stride_h, "x", s.stride_w,
               " padding ", s.pad_h, "x", s.pad_w);
  FFTUNE_CHECK(s.out_h() > 0 && s.out_w() > 0, fn, ": the ", s.kernel_h, "x", s.kernel_w,
               " kernel does not fit the padded ", s.height + 2 * s.pad_h, "x",
               s.width + 2 * s.pad_w, " image");
}

int64_t chunk_images(const Conv2dShape& s) {
  const int64_t cols_elems = s.in_channels * s.kernel_h * s.kernel_w * s.out_h() * s.out_w();
  return std::clamp<int64_t>(kColsBudget / cols_elems, 1, std::max<int64_t>(s.batch, 1));
}

// Note [conv2d as GEMM] (conv2d.h). cols_i (C·KH·KW, OH·OW) of image i of the chunk starts at
// cols + i·C·KH·KW·OH·OW; one task per (image, channel).
template <typename T>
void im2col(T* cols, const T* in, int64_t images, const Conv2dShape& s) {
  const int64_t C = s.in_channels, H = s.height, W = s.width, KH = s.kernel_h, KW = s.kernel_w;
  const int64_t OH = s.out_h(), OW = s.out_w(), P = OH * OW;
#pragma omp parallel for num_threads(num_threads()) \
    schedule(static) if (images * C * KH * KW * P >= kParallelMin)
  for (int64_t task = 0; task < images * C; ++task) {
    const int64_t c = task % C;
    const T* plane = in + task * H * W;                               // (H, W)
    T* rows = cols + (task / C) * C * KH * KW * P + c * KH * KW * P;  // (KH·KW, P)
    for (int64_t kh = 0; kh < KH; ++kh) {
      for (int64_t kw = 0; kw < KW; ++kw) {
        T* row = rows + (kh * KW + kw) * P;
        for (int64_t oh = 0; oh < OH; ++oh) {
          const int64_t ih = oh * s.stride_h - s.pad_h + kh;
          T* dst = row + oh * OW;
          if (ih < 0 || ih >= H) {
            std::fill(dst, dst + OW, T(0));
            continue;
          }
          const T* src = plane + ih * W;
          for (int64_t ow = 0; ow < OW; ++ow) {
            const int64_t iw = ow * s.stride_w - s.pad_w + kw;
            dst[ow] = (iw >= 0 && iw < W) ? src[iw] : T(0);
          }
        }
      }
    }
  }
}

// The adjoint of im2col: din = col2im(dcols), overwriting din. Overlapping patches add up, so
// each (image, channel) plane is owned by one task.
template <typename T>
void col2im(T* din, const T* cols, int64_t images, const Conv2dShape& s) {
  const int64_t C = s.in_channels, H = s.height, W = s.width, KH = s.kernel_h, KW = s.kernel_w;
  const int64_t OH = s.out_h(), OW = s.out_w(), P = OH * OW;
#pragma omp parallel for num_threads(num_threads()) \
    schedule(static) if (images * C * KH * KW * P >= kParallelMin)
  for (int64_t task = 0; task < images * C; ++task) {
    const int64_t c = task % C;
    T* plane = din + task * H * W;  // (H, W)
    std::fill(plane, plane + H * W, T(0));
    const T* rows = cols + (task / C) * C * KH * KW * P + c * KH * KW * P;  // (KH·KW, P)
    for (int64_t kh = 0; kh < KH; ++kh) {
      for (int64_t kw = 0; kw < KW; ++kw) {
        const T* row = rows + (kh * KW + kw) * P;
        for (int64_t oh = 0; oh < OH; ++oh) {
          const int64_t ih = oh * s.stride_h - s.pad_h + kh;
          if (ih < 0 || ih >= H) continue;
          T* dst = plane + ih * W;
          const T* src = row + oh * OW;
          for (int64_t ow = 0; ow < OW; ++ow) {
            const int64_t iw = ow * s.stride_w - s.pad_w + kw;
            if (iw >= 0 && iw < W) dst[iw] += src[ow];
          }
        }
      }
    }
  }
}

}  // namespace

int64_t Conv2dShape::out_h() const {
  return (height + 2 * pad_h - kernel_h) / stride_h + 1;
}
int64_t Conv2dShape::out_w() const {
  return (width + 2 * pad_w - kernel_w) / stride_w + 1;
}

template <typename T>
void conv2d_forward(T* out, const T* in, const T* weight, const T* bias, const Conv2dShape& s) {
  check_shape("conv2d_forward", s);
  const int64_t O = s.out_channels, K = s.in_channels * s.kernel_h * s.kernel_w;
  const int64_t P = s.out_h() * s.out_w(), chunk = chunk_images(s);
  std::vector<T> cols(static_cast<size_t>(std::min(chunk, s.batch) * K * P));  // (chunk, K, P)
  for (int64_t n0 = 0; n0 < s.batch; n0 += chunk) {
    const int64_t images = std::min(chunk, s.batch - n0);
    T* out_chunk = out + n0 * O * P;  // (images, O, P)
    im2col(cols.data(), in + n0 * s.in_channels * s.height * s.width, images, s);
    if (bias) {
#pragma omp parallel for num_threads(num_threads()) \
    schedule(static) if (images * O * P >= kParallelMin)
      for (int64_t row = 0; row < images * O; ++row)
        std::fill(out_chunk + row * P, out_chunk + (row + 1) * P, bias[row % O]);
    }
    // out_i (O, P) = weight (O, K) · cols_i (K, P) [+ the bias already in out_i]
    gemm_batched(false, false, images, O, P, K, T(1), weight, K, 0, cols.data(), P, K * P,
                 bias ? T(1) : T(0), out_chunk, P, O * P);
  }
}

template <typename T>
void conv2d_backward_input(T* din, const T* dout, const T* weight, const Conv2dShape& s) {
  check_shape("conv2d_backward_input", s);
  const int64_t O = s.out_channels, K = s.in_channels * s.kernel_h * s.kernel_w;
  const int64_t P = s.out_h() * s.out_w(), chunk = chunk_images(s);
  std::vector<T> dcols(static_cast<size_t>(std::min(chunk, s.batch) * K * P));  // (chunk, K, P)
  for (int64_t n0 = 0; n0 < s.batch; n0 += chunk) {
    const int64_t images = std::min(chunk, s.batch - n0);
    // dcols_i (K, P) = weightᵀ (K, O) · dout_i (O, P)
    gemm_batched(true, false, images, K, P, O, T(1), weight, K, 0, dout + n0 * O * P, P, O * P,
                 T(0), dcols.data(), P, K * P);
    col2im(din + n0 * s.in_channels * s.height * s.width, dcols.data(), images, s);
  }
}

template <typename T>
void conv2d_backward_weight(T* dweight, T* dbias, const T* dout, const T* in,
                            const Conv2dShape& s) {
  check_shape("conv2d_backward_weight", s);
  const int64_t O = s.out_channels, K = s.in_channels * s.kernel_h * s.kernel_w;
  const int64_t P = s.out_h() * s.out_w(), chunk = chunk_images(s);
  if (dbias) {
#pragma omp parallel for num_threads(num_threads()) \
    schedule(static) if (s.batch * O * P >= kParallelMin)
    for (int64_t o = 0; o < O; ++o) {
      T sum = 0;
      for (int64_t n = 0; n < s.batch; ++n)
        for (int64_t p = 0; p < P; ++p) sum += dout[(n * O + o) * P + p];
      dbias[o] = sum;
    }
  }
  if (s.batch == 0) std::fill(dweight, dweight + O * K, T(0));
  std::vector<T> cols(static_cast<size_t>(std::min(chunk, s.batch) * K * P));  // (chunk, K, P)
  for (int64_t n0 = 0; n0 < s.batch; n0 += chunk) {
    const int64_t images = std::min(chunk, s.batch - n0);
    im2col(cols.data(), in + n0 * s.in_channels * s.height * s.width, images, s);
    // dweight (O, K) (+)= dout_n (O, P) · cols_nᵀ (P, K); the first image overwrites.
    for (int64_t i = 0; i < images; ++i)
      gemm(false, true, O, K, P, T(1), dout + (n0 + i) * O * P, P, cols.data() + i * K * P, P,
           n0 + i == 0 ? T(0) : T(1), dweight, K);
  }
}

template void conv2d_forward<float>(float*, const float*, const float*, const float*,
                                    const Conv2dShape&);
template void conv2d_forward<double>(double*, const double*, const double*, const double*,
                                     const Conv2dShape&);
template void conv2d_backward_input<float>(float*, const float*, const float*, const Conv2dShape&);
template void conv2d_backward_input<double>(double*, const double*, const double*,
                                            const Conv2dShape&);
template void conv2d_backward_weight<float>(float*, float*, const float*, const float*,
                                            const Conv2dShape&);
template void conv2d_backward_weight<double>(double*, double*, const double*, const double*,
                                             const Conv2dShape&);

}  // namespace fftune::cpu
