// The autograd graph (define-by-run, as in micrograd and PyTorch).
//
// A differentiable op that sees an input requiring grad creates a Node: it holds what backward
// needs (SavedTensor members) and one Edge per input, pointing at the node that produced that
// input (or at the AccumulateGrad node of a leaf). An input that needs no gradient gets an
// empty edge, and `needs_input_grad(i)` is false for it: the op then skips that gradient
// entirely (a frozen weight's gradient GEMM is never run).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/tensor/tensor.h"

namespace fftune {

class Node;

struct Edge {
  std::shared_ptr<Node> node;  // null: this input needs no gradient
  uint32_t input_nr = 0;       // which output of `node` the input was
};

// A tensor saved for backward. It keeps a detached alias (so no reference cycle through
// grad_fn) and the version at save time: an in-place write before backward is an error.
class SavedTensor {
 public:
  void save(const Tensor& t);
  // The saved tensor; `node` names the op in the error messages.
  Tensor unpack(const Node& node) const;
  void release() {
    data_ = Tensor();
    released_ = true;
  }
  bool defined() const { return data_.defined(); }

 private:
  Tensor data_;
  uint64_t version_ = 0;
  bool released_ = false;
};

struct TensorMeta {
  Shape shape;
  DType dtype = DType::f32;
  Device device;
};

class Node {
 public:
  virtual ~Node();
  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  virtual std::string name() const = 0;
  // Given one gradient per output (never undefined: the engine fills zeros), returns one
  // gradient per input; an entry may be undefined when !needs_input_grad(i).
  virtual std::vector<Tensor> apply(std::vector<Tensor>& grad_outputs) = 0;

  bool needs_input_grad(size_t i) const { return i < next_edges.size() && next_edges[i].node; }
  // Registers `slot` as saved state and stores `t` in it; the engine releases every slot
  // after backward unless retain_graph is set.
  void save(SavedTensor& slot, const Tensor& t);
  void release_saved();

  // The order of creation on this thread (PyTorch's sequence_nr): a node made later has a larger
  // number. Activation checkpointing uses it to tell a recomputed graph from an older one.
  uint64_t sequence_nr() const { return sequence_nr_; }
  // The number the next node made on this thread will get.
  static uint64_t next_sequence_nr();

  std::vector<Edge> next_edges;
  std::vector<TensorMeta> outputs;  // shape/dtype/device of each output

 private:
  static uint64_t take_sequence_nr();

  std::vector<SavedTensor*> saved_;
  uint64_t sequence_nr_ = take_sequence_nr();
};

// The node that ends every path at a leaf: it adds the incoming gradient into `.grad`.
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(Tensor variable) : variable_(std::move(variable)) {}
  std::string name() const override { return "AccumulateGrad"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grad_outputs) override;

 private:
  Tensor variable_;
};

// ---- helpers every op uses to record itself ----

// True when grad mode is on and some input requires grad.
bool any_requires_grad(std::initializer_list<Tensor> inputs);
// The edge for an input: its grad_fn, its leaf accumulator, or empty.
Edge edge_for(const Tensor& input);

// Makes a node of type N wired to `inputs`, or returns null when no gradient is needed.
//   if (auto node = make_node<ExpBackward>({x})) { node->save(node->y, y); attach(node, {y}); }
template <typename N, typename... Args>
std::shared_ptr<N> make_node(std::initializer_list<Tensor> inputs, Args&&... args) {
  if (!any_requires_grad(inputs)) return nullptr;
  auto node = std::make_shared<N>(std::forward<Args>(args)...);
  node->next_edges.reserve(inputs.size());
  for (const Tensor& t : inputs) node->next_edges.push_back(edge_for(t));
  return node;
}

// Makes `node` the grad_fn of the outputs (in order) and marks them as requiring grad.
void attach(const std::shared_ptr<Node>& node, std::initializer_list<Tensor> outputs);

}  // namespace fftune
