// 2-D transforms of contiguous row-major (batch, n0, n1) arrays: a batch of 1-D row transforms,
// then the columns, kLanes adjacent columns at a time.
#include <algorithm>
#include <complex>
#include <cstdint>
#include <memory>

#include "core/error.h"
#include "core/threading.h"
#include "ops/cpu/fft_internal.h"

namespace fftune::cpu::fft {
namespace {

// Note [Column tiles]
// ~~~~~~~~~~~~~~~~~~~
// A column of a row-major (n0, cols) array is strided by `cols`, so transforming columns one by
// one would touch one number per cache line. Instead each tile takes kLanes adjacent columns:
// gathering row i of the tile reads kLanes consecutive complex numbers (two or four cache
// lines), and those columns become the lanes of one lanes buffer (Note [Lanes layout]), so the
// passes run fully vectorised across columns. Tiles of all batch items are independent and are
// spread over the threads. `in` may equal `out` (each tile is gathered before it is written).
template <typename T>
void column_transforms(const std::complex<T>* in, std::complex<T>* out, int64_t batch, int64_t n0,
                       int64_t cols, Direction dir) {
  using namespace detail;
  const auto plan = complex_plan<T>(n0);
  const int64_t tiles_per_item = (cols + kLanes<T> - 1) / kLanes<T>;
  const int64_t tiles = batch * tiles_per_item;
#pragma omp parallel for num_threads(fftune::num_threads()) \
    schedule(dynamic) if (tiles > 1 && worth_threads(batch * n0 * cols))
  for (int64_t tile = 0; tile < tiles; ++tile) {
    const int64_t item = tile / tiles_per_item;
    const int64_t first = (tile % tiles_per_item) * kLanes<T>;
    const int64_t lanes = std::min(kLanes<T>, cols - first);
    const int64_t offset = item * n0 * cols + first;
    Workspace<T> ws = thread_workspace<T>(plan->buffer_length() * lanes);
    columns_to_lanes(ws.a, in + offset, n0, lanes, cols);
    Split<T> r = transform_lanes(*plan, ws.a, ws.b, lanes, dir);
    lanes_to_columns(out + offset, Split<const T>{r.re, r.im}, n0, lanes, cols);
  }
}

void check_shape(const char* op, const void* in, const void* out, int64_t batch, int64_t n0,
                 int64_t n1) {
  FFTUNE_CHECK(batch >= 0 && n0 >= 1 && n1 >= 1, "fft::", op,
               ": expected batch >= 0 and n0, n1 >= 1, got (", batch, ", ", n0, ", ", n1, ")");
  FFTUNE_CHECK(in != nullptr && out != nullptr, "fft::", op, ": null data pointer");
}

// Note [Batch chunks stay in cache]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// A 2-D transform reads its spectra twice: the row pass writes them, the column pass reads and
// rewrites them. For a batch (24 layers of 768x768 is 57 MB of spectra) doing all rows and then
// all columns streams everything through DRAM twice. We go through the batch in chunks of
// items whose spectra fit in about 16 MiB (half of this machine's 32 MiB L3), so the column pass
// finds the row pass's output in the last-level cache, and DRAM sees each input and output
// once (docs/perf.md, "FFT": what the design choices rest on). Each chunk costs two thread
// barriers; 8 MiB chunks were as fast on one thread but twice the barriers, which hurt on a
// loaded machine where a barrier waits for a preempted thread.
constexpr int64_t kChunkBytes = int64_t{16} << 20;

template <typename T>
int64_t items_per_chunk(int64_t batch, int64_t n0, int64_t cols) {
  const int64_t item_bytes = n0 * cols * 2 * static_cast<int64_t>(sizeof(T));
  return std::clamp<int64_t>(kChunkBytes / item_bytes, 1, batch);
}

}  // namespace

template <typename T>
void c2c_2d(const std::complex<T>* in, std::complex<T>* out, int64_t batch, int64_t n0, int64_t n1,
            Direction dir) {
  check_shape("c2c_2d", in, out, batch, n0, n1);
  const auto row_plan = detail::complex_plan<T>(n1);
  const int64_t chunk = batch > 0 ? items_per_chunk<T>(batch, n0, n1) : 1;
  for (int64_t first = 0; first < batch; first += chunk) {
    const int64_t items = std::min(chunk, batch - first);
    const int64_t offset = first * n0 * n1;
    detail::c2c_batched(*row_plan, in + offset, out + offset, items * n0, 1, n1, 1, n1, dir);
    column_transforms(out + offset, out + offset, items, n0, n1, dir);
  }
}

template <typename T>
void r2c_2d(const T* in, std::complex<T>* out, int64_t batch, int64_t n0, int64_t n1) {
  check_shape("r2c_2d", in, out, batch, n0, n1);
  const int64_t bins = n1 / 2 + 1;
  const auto row_plan = detail::real_plan<T>(n1);
  const int64_t chunk = batch > 0 ? items_per_chunk<T>(batch, n0, bins) : 1;
  for (int64_t first = 0; first < batch; first += chunk) {
    const int64_t items = std::min(chunk, batch - first);
    std::complex<T>* spectra = out + first * n0 * bins;
    detail::r2c_batched(*row_plan, in + first * n0 * n1, spectra, items * n0, 1, n1, 1, bins);
    column_transforms(spectra, spectra, items, n0, bins, Direction::kForward);
  }
}

// The column pass runs first (inverse order of r2c_2d) and needs somewhere to put its result
// that is not the caller's input, so it writes a temporary array of one chunk of spectra.
template <typename T>
void c2r_2d(const std::complex<T>* in, T* out, int64_t batch, int64_t n0, int64_t n1) {
  check_shape("c2r_2d", in, out, batch, n0, n1);
  if (batch == 0) return;
  const int64_t bins = n1 / 2 + 1;
  const auto row_plan = detail::real_plan<T>(n1);
  const int64_t chunk = items_per_chunk<T>(batch, n0, bins);
  // Plain T storage, so that nothing is zero-filled before the column pass overwrites it.
  std::unique_ptr<T[]> storage(new T[2 * chunk * n0 * bins]);
  auto* columns = reinterpret_cast<std::complex<T>*>(storage.get());
  for (int64_t first = 0; first < batch; first += chunk) {
    const int64_t items = std::min(chunk, batch - first);
    column_transforms(in + first * n0 * bins, columns, items, n0, bins, Direction::kInverse);
    detail::c2r_batched(*row_plan, columns, out + first * n0 * n1, items * n0, 1, bins, 1, n1);
  }
}

#define FFTUNE_FFT_INSTANTIATE(T)                                                              \
  template void c2c_2d<T>(const std::complex<T>*, std::complex<T>*, int64_t, int64_t, int64_t, \
                          Direction);                                                          \
  template void r2c_2d<T>(const T*, std::complex<T>*, int64_t, int64_t, int64_t);              \
  template void c2r_2d<T>(const std::complex<T>*, T*, int64_t, int64_t, int64_t);
FFTUNE_FFT_INSTANTIATE(float)
FFTUNE_FFT_INSTANTIATE(double)
#undef FFTUNE_FFT_INSTANTIATE

}  // namespace fftune::cpu::fft
