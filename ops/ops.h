// The functional API: what a user calls. Every op checks its arguments by name, dispatches on
// its inputs' device to a kernel in ops/cpu (or ops/cuda), and records a backward node when an
// input requires grad. Each op's forward and backward sit side by side in one file of ops/.
//
// Dimension letters in shape comments: B batch, T tokens, C channels, H heads, D head dim,
// V vocab, N spectral entries, L layers.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/autograd/grad_mode.h"
#include "core/tensor/factory.h"
#include "core/tensor/tensor.h"

namespace fftune {

// ---- elementwise unary (ops/unary.cpp) ----
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);
Tensor abs(const Tensor& x);  // also complex x: the real magnitude |x| (complex_abs)
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);
enum class GeluApproximation { kNone, kTanh };  // exact erf form, or the tanh approximation
Tensor gelu(const Tensor& x, GeluApproximation approximate = GeluApproximation::kNone);
Tensor pow(const Tensor& x, double exponent);
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max);  // clamp.cpp

// ---- elementwise binary with NumPy broadcasting (ops/binary.cpp) ----
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);  // the gradient goes to a where a >= b
Tensor add(const Tensor& a, double b);
Tensor sub(const Tensor& a, double b);
Tensor mul(const Tensor& a, double b);
Tensor div(const Tensor& a, double b);
// Comparisons (no gradient): f32/f64/i64 inputs, result has a's dtype holding 0 or 1.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);

// ---- complex (ops/complex.cpp) ----
// Gradients follow PyTorch's convention: for z = a + ib the gradient is ∂L/∂a + i·∂L/∂b.
Tensor conj(const Tensor& x);  // identity for real tensors
Tensor real(const Tensor& x);  // c64 -> f32 view of the real parts; identity for real tensors
Tensor imag(const Tensor& x);  // c64 -> f32 view of the imaginary parts
// |z| as a real tensor; dz = g·z/|z| (0 at z = 0). abs() calls it for complex inputs.
Tensor complex_abs(const Tensor& z);
// c64 (…) -> f32 (…, 2) view of (real, imag) pairs, sharing storage (c128 -> f64 likewise).
Tensor view_as_real(const Tensor& x);
// f32 (…, 2) -> c64 (…) view; needs last stride 1 and even other strides and offset.
Tensor view_as_complex(const Tensor& x);
// re + i·im (same real dtype, broadcast together).
Tensor complex(const Tensor& re, const Tensor& im);

// ---- FFT (ops/fft.cpp) ----
// torch.fft's transforms over the last dim (fft, ifft, rfft, irfft) or the last two dims
// (fft2, ifft2, rfft2, irfft2), batched over the leading dims. fft/ifft/fft2/ifft2 take complex
// (or real, promoted to complex); rfft/rfft2 take real and return the n/2+1 non-redundant bins;
// irfft/irfft2 take such a half spectrum and return reals. n (1-D) and s = (n0, n1) (2-D) are
// the signal sizes: the input is cut or zero-padded to them; -1 keeps the input's size (for
// irfft/irfft2: 2·(bins−1) on the last dim). irfft2 expects the half spectrum's column 0 (and
// column n1/2 for even n1) to be Hermitian along the first axis; see Note [FFT adjoints].
// Scaling, as torch's norm: kBackward: none forward, 1/n on the inverse; kOrtho: 1/√n both ways;
// kForward: 1/n forward, none on the inverse (n = the number of points transformed).
enum class FftNorm { kBackward, kOrtho, kForward };
Tensor fft(const Tensor& x, int64_t n = -1, FftNorm norm = FftNorm::kBackward);
Tensor ifft(const Tensor& x, int64_t n = -1, FftNorm norm = FftNorm::kBackward);
Tensor rfft(const Tensor& x, int64_t n = -1, FftNorm norm = FftNorm::kBackward);
Tensor irfft(const Tensor& x, int64_t n = -1, FftNorm norm = FftNorm::kBackward);
Tensor fft2(const Tensor& x, std::pair<int64_t, int64_t> s = {-1, -1},
            FftNorm norm = FftNorm::kBackward);
Tensor ifft2(const Tensor& x, std::pair<int64_t, int64_t> s = {-1, -1},
             FftNorm norm = FftNorm::kBackward);
Tensor rfft2(const Tensor& x, std::pair<int64_t, int64_t> s = {-1, -1},
             FftNorm norm = FftNorm::kBackward);
Tensor irfft2(const Tensor& x, std::pair<int64_t, int64_t> s = {-1, -1},
              FftNorm norm = FftNorm::kBackward);

// ---- selection (ops/where.cpp) ----
// cond: any real dtype, non-zero = true; broadcasts cond, a, b together.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
// x with `value` where mask is non-zero (mask broadcasts to x).
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);

// ---- reductions over dims (ops/reduce.cpp); empty dims = all dims ----
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
// var with Bessel's correction by default (correction = 1), as torch.var.
Tensor var(const Tensor& x, const std::vector<int64_t>& dims = {}, int64_t correction = 1,
           bool keepdim = false);
// max over one dim: values (differentiable, the gradient goes to the first maximum) and
// indices (i64, first maximum).
struct MaxResult {
  Tensor values, indices;
};
MaxResult max(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor max(const Tensor& x);  // over all elements
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);

// ---- linear algebra (ops/matmul.cpp, ops/linear.cpp) ----
// 1-D·1-D, 2-D·2-D, and batched (…, m, k)·(…, k, n) with broadcast batch dims. Transposed views
// are passed to the GEMM as transposes, not copied.
Tensor matmul(const Tensor& a, const Tensor& b);
// x·Wᵀ + b: x (…, in), weight (out, in), bias (out) or undefined.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

// ---- normalisation and activations over the last dim ----
Tensor softmax(const Tensor& x, int64_t dim);      // ops/softmax.cpp
Tensor log_softmax(const Tensor& x, int64_t dim);  // ops/softmax.cpp
// Over the trailing dims given by normalized_shape; weight/bias of that shape or undefined.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps = 1e-5);  // ops/layer_norm.cpp

// ---- embeddings, dropout, losses ----
// weight (V, C), indices i64 of any shape -> (…, C). Backward is a scatter-add into the rows;
// the row padding_idx (if given, in [0, V)) gets no gradient, as torch's.
Tensor embedding(const Tensor& weight, const Tensor& indices,
                 std::optional<int64_t> padding_idx = std::nullopt);  // ops/embedding.cpp
// Zeroes each element with probability p and scales the rest by 1/(1-p) (Philox mask);
// identity when !training or p == 0.
Tensor dropout(const Tensor& x, double p, bool training, Generator* gen = nullptr);
enum class Reduction { kNone, kMean, kSum };
// logits (B, C) or (B, C, d1...) as torch; target i64 class indices. Mean over the
// non-ignored targets (as torch), label smoothing as torch's.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, int64_t ignore_index = -100,
                     double label_smoothing = 0.0, Reduction reduction = Reduction::kMean);
Tensor mse_loss(const Tensor& input, const Tensor& target,
                Reduction reduction = Reduction::kMean);  // ops/loss.cpp

// ---- joining and indexing (ops/join.cpp, ops/index.cpp) ----
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim);
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);  // index: 1-D i64
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);        // torch.gather
// x with src added at index along dim (torch.Tensor.scatter_add, out of place).
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);

// ---- convolution (ops/conv2d.cpp) ----
// x (B, C, H, W), weight (O, C, KH, KW), bias (O) or undefined -> (B, O, OH, OW).
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias,
              std::pair<int64_t, int64_t> stride = {1, 1},
              std::pair<int64_t, int64_t> padding = {0, 0});

// ---- operators ----
inline Tensor operator-(const Tensor& x) {
  return neg(x);
}
inline Tensor operator+(const Tensor& a, const Tensor& b) {
  return add(a, b);
}
inline Tensor operator-(const Tensor& a, const Tensor& b) {
  return sub(a, b);
}
inline Tensor operator*(const Tensor& a, const Tensor& b) {
  return mul(a, b);
}
inline Tensor operator/(const Tensor& a, const Tensor& b) {
  return div(a, b);
}
inline Tensor operator+(const Tensor& a, double b) {
  return add(a, b);
}
inline Tensor operator-(const Tensor& a, double b) {
  return sub(a, b);
}
inline Tensor operator*(const Tensor& a, double b) {
  return mul(a, b);
}
inline Tensor operator/(const Tensor& a, double b) {
  return div(a, b);
}
inline Tensor operator*(double a, const Tensor& b) {
  return mul(b, a);
}
inline Tensor operator+(double a, const Tensor& b) {
  return add(b, a);
}

// ---- in-place updates used by optimizers and initialisers (no autograd; bump the version) ----
// x += alpha * y (y broadcasts to x).
void add_(Tensor& x, const Tensor& y, double alpha = 1.0);
void mul_(Tensor& x, double value);

// ---- fused optimizer updates (ops/optim.cpp): one pass over each tensor, no autograd, bump
// the versions of what they write. nn/adamw.h and nn/sgd.h hold the math and the step logic. ----
// Per-step scalars of one AdamW update at step t (t counts from 1).
struct AdamWStepScalars {
  double decay;                  // 1 − lr·weight_decay (decoupled weight decay, applied first)
  double beta1, beta2;           // moment decay rates
  double step_size;              // lr / (1 − beta1^t)
  double bias_correction2_sqrt;  // √(1 − beta2^t)
  double eps;                    // added after the square root of the corrected v
};
// param, grad, exp_avg, exp_avg_sq: one shape and dtype; param and the moments contiguous.
void adamw_step_(Tensor& param, const Tensor& grad, Tensor& exp_avg, Tensor& exp_avg_sq,
                 const AdamWStepScalars& s);
struct SGDStepScalars {
  double lr, weight_decay, momentum, dampening;
  bool nesterov;
  bool first_step;  // the momentum buffer is started from the gradient (torch's clone)
};
// momentum_buffer: undefined when momentum == 0, else the param's shape, contiguous.
void sgd_step_(Tensor& param, const Tensor& grad, Tensor& momentum_buffer, const SGDStepScalars& s);

// The same updates for many parameters at once, each with its own scalars: what an optimizer's
// step() does with all its parameters. On CUDA one fused kernel launch updates every tensor
// (Note [multi-tensor apply], ops/cuda/optim_kernels.h); on the CPU each entry goes through
// adamw_step_ / sgd_step_ in order, exactly as single updates would.
struct AdamWParamUpdate {
  Tensor param, grad, exp_avg, exp_avg_sq;
  AdamWStepScalars scalars;
};
void adamw_multi_tensor_step_(const std::vector<AdamWParamUpdate>& updates);
struct SGDParamUpdate {
  Tensor param, grad, momentum_buffer;  // momentum_buffer as in sgd_step_
  SGDStepScalars scalars;
};
void sgd_multi_tensor_step_(const std::vector<SGDParamUpdate>& updates);

// Sums `grad` down to `shape` (undoes broadcasting): the backward of every broadcasting op.
Tensor sum_to(const Tensor& grad, const Shape& shape);

}  // namespace fftune
