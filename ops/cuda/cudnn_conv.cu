// See cudnn_conv.h.
#include <cudnn.h>

#include "core/determinism.h"
#include "core/error.h"
#include "ops/cuda/cudnn_conv.h"
#include "ops/cuda/device.h"
#include "ops/cuda/tensor_args.h"

namespace fftune::cuda {
namespace {

void check_cudnn(cudnnStatus_t status, const char* call, const char* file, int line) {
  if (status != CUDNN_STATUS_SUCCESS)
    FFTUNE_FAIL("cuDNN error: ", call, " failed at ", file, ":", line, ": ",
                cudnnGetErrorString(status));
}
#define FFTUNE_CUDNN_CHECK(call) check_cudnn((call), #call, __FILE__, __LINE__)

constexpr size_t kMaxWorkspace = size_t{256} << 20;

cudnnHandle_t handle() {
  static cudnnHandle_t h = [] {
    cudnnHandle_t created = nullptr;
    FFTUNE_CUDNN_CHECK(cudnnCreate(&created));
    FFTUNE_CUDNN_CHECK(cudnnSetStream(created, stream()));
    return created;  // never destroyed: see device.cpp's runtime()
  }();
  return h;
}

// The descriptors of one conv2d, destroyed with it.
struct Descriptors {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr, bias = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;

  explicit Descriptors(const ConvDescriptorDims& d) {
    FFTUNE_CUDNN_CHECK(cudnnCreateTensorDescriptor(&x));
    FFTUNE_CUDNN_CHECK(cudnnCreateTensorDescriptor(&y));
    FFTUNE_CUDNN_CHECK(cudnnCreateTensorDescriptor(&bias));
    FFTUNE_CUDNN_CHECK(cudnnCreateFilterDescriptor(&w));
    FFTUNE_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&conv));
    FFTUNE_CUDNN_CHECK(cudnnSetTensor4dDescriptor(x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, d.x[0],
                                                  d.x[1], d.x[2], d.x[3]));
    FFTUNE_CUDNN_CHECK(cudnnSetTensor4dDescriptor(y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, d.y[0],
                                                  d.y[1], d.y[2], d.y[3]));
    FFTUNE_CUDNN_CHECK(
        cudnnSetTensor4dDescriptor(bias, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, d.y[1], 1, 1));
    FFTUNE_CUDNN_CHECK(cudnnSetFilter4dDescriptor(w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, d.w[0],
                                                  d.w[1], d.w[2], d.w[3]));
    // Cross-correlation, as PyTorch's conv2d (and ours) computes.
    FFTUNE_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(conv, d.pad[0], d.pad[1], d.stride[0],
                                                       d.stride[1], d.dilation[0], d.dilation[1],
                                                       CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    FFTUNE_CUDNN_CHECK(cudnnSetConvolutionMathType(conv, CUDNN_FMA_MATH));  // no TF32
  }
  ~Descriptors() {
    cudnnDestroyTensorDescriptor(x);
    cudnnDestroyTensorDescriptor(y);
    cudnnDestroyTensorDescriptor(bias);
    cudnnDestroyFilterDescriptor(w);
    cudnnDestroyConvolutionDescriptor(conv);
  }
  Descriptors(const Descriptors&) = delete;
  Descriptors& operator=(const Descriptors&) = delete;
};

// The first of cuDNN's ranked candidates that succeeded, fits the workspace limit and (in
// deterministic mode) is deterministic. The ranking is a heuristic, not a timing, so the same
// shapes on the same GPU always get the same algorithm.
template <typename Perf>
const Perf& pick(const Perf* perf, int count, const char* what) {
  const bool deterministic = deterministic_algorithms();
  for (int i = 0; i < count; ++i) {
    if (perf[i].status != CUDNN_STATUS_SUCCESS || perf[i].memory > kMaxWorkspace) continue;
    if (deterministic && perf[i].determinism != CUDNN_DETERMINISTIC) continue;
    return perf[i];
  }
  FFTUNE_FAIL("cuDNN: no usable ", what, " algorithm for this conv2d",
              deterministic ? " in deterministic mode" : "");
}

// Workspace from the caching allocator, returned when the call was queued (stream order).
struct Workspace {
  void* ptr = nullptr;
  explicit Workspace(size_t bytes) : ptr(device_allocator().allocate(bytes)) {}
  ~Workspace() { device_allocator().free(ptr); }
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
};

constexpr int kCandidates = 8;

}  // namespace

void conv2d_forward(float* y, const float* x, const float* w, const float* bias,
                    const ConvDescriptorDims& d) {
  Descriptors desc(d);
  cudnnConvolutionFwdAlgoPerf_t perf[kCandidates];
  int count = 0;
  FFTUNE_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(handle(), desc.x, desc.w, desc.conv,
                                                            desc.y, kCandidates, &count, perf));
  const auto& algo = pick(perf, count, "forward");
  Workspace ws(algo.memory);
  const float one = 1.0f, zero = 0.0f;
  FFTUNE_CUDNN_CHECK(cudnnConvolutionForward(handle(), &one, desc.x, x, desc.w, w, desc.conv,
                                             algo.algo, ws.ptr, algo.memory, &zero, desc.y, y));
  if (bias) FFTUNE_CUDNN_CHECK(cudnnAddTensor(handle(), &one, desc.bias, bias, &one, desc.y, y));
}

void conv2d_backward_data(float* dx, const float* dy, const float* w, const ConvDescriptorDims& d) {
  Descriptors desc(d);
  cudnnConvolutionBwdDataAlgoPerf_t perf[kCandidates];
  int count = 0;
  FFTUNE_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(
      handle(), desc.w, desc.y, desc.conv, desc.x, kCandidates, &count, perf));
  const auto& algo = pick(perf, count, "backward-data");
  Workspace ws(algo.memory);
  const float one = 1.0f, zero = 0.0f;
  FFTUNE_CUDNN_CHECK(cudnnConvolutionBackwardData(handle(), &one, desc.w, w, desc.y, dy, desc.conv,
                                                  algo.algo, ws.ptr, algo.memory, &zero, desc.x,
                                                  dx));
}

void conv2d_backward_filter(float* dw, float* dbias, const float* dy, const float* x,
                            const ConvDescriptorDims& d) {
  Descriptors desc(d);
  cudnnConvolutionBwdFilterAlgoPerf_t perf[kCandidates];
  int count = 0;
  FFTUNE_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(
      handle(), desc.x, desc.y, desc.conv, desc.w, kCandidates, &count, perf));
  const auto& algo = pick(perf, count, "backward-filter");
  Workspace ws(algo.memory);
  const float one = 1.0f, zero = 0.0f;
  FFTUNE_CUDNN_CHECK(cudnnConvolutionBackwardFilter(handle(), &one, desc.x, x, desc.y, dy,
                                                    desc.conv, algo.algo, ws.ptr, algo.memory,
                                                    &zero, desc.w, dw));
  if (dbias)
    FFTUNE_CUDNN_CHECK(
        cudnnConvolutionBackwardBias(handle(), &one, desc.y, dy, &zero, desc.bias, dbias));
}

}  // namespace fftune::cuda

// ---- Tensor-facing entry points -----------------------------------------------------------------
namespace fftune::cuda {

namespace {

ConvDescriptorDims descriptor_dims(const cpu::Conv2dShape& s) {
  return conv2d_descriptor_dims(s.batch, s.in_channels, s.height, s.width, s.out_channels,
                                s.kernel_h, s.kernel_w, s.stride_h, s.stride_w, s.pad_h, s.pad_w);
}

void check_conv_dtype(const Tensor& t) {
  FFTUNE_CHECK(t.dtype() == DType::f32, "conv2d: the CUDA kernel (cuDNN) supports f32, got ",
               t.dtype());
}

}  // namespace

void conv2d_forward(const Tensor& y, const Tensor& x, const Tensor& weight, const Tensor& bias,
                    const cpu::Conv2dShape& s) {
  check_conv_dtype(x);
  if (y.numel() == 0) return;
  conv2d_forward(mut<float>(y), ptr<float>(x), ptr<float>(weight), ptr<float>(bias),
                 descriptor_dims(s));
}

void conv2d_backward_input(const Tensor& dx, const Tensor& dy, const Tensor& weight,
                           const cpu::Conv2dShape& s) {
  check_conv_dtype(dy);
  if (dx.numel() == 0) return;
  conv2d_backward_data(mut<float>(dx), ptr<float>(dy), ptr<float>(weight), descriptor_dims(s));
}

void conv2d_backward_weight(const Tensor& dweight, const Tensor& dbias, const Tensor& dy,
                            const Tensor& x, const cpu::Conv2dShape& s) {
  check_conv_dtype(dy);
  conv2d_backward_filter(mut<float>(dweight), mut<float>(dbias), ptr<float>(dy), ptr<float>(x),
                         descriptor_dims(s));
}

}  // namespace fftune::cuda
