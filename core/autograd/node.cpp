#include "core/autograd/node.h"

#include "core/autograd/engine.h"
#include "core/autograd/grad_mode.h"

namespace fftune {

void SavedTensor::save(const Tensor& t) {
  if (!t.defined()) return;
  data_ = t.detach();
  version_ = t.version();
  released_ = false;
}

Tensor SavedTensor::unpack(const Node& node) const {
  FFTUNE_CHECK(!released_, node.name(),
               ": its saved tensors were freed by an earlier backward; call backward with "
               "retain_graph=true to backpropagate through the graph twice");
  if (data_.defined()) {
    FFTUNE_CHECK(data_.version() == version_, node.name(),
                 ": a tensor saved for backward was modified in place after the forward pass "
                 "(its version is ",
                 data_.version(), ", expected ", version_, ")");
  }
  return data_;
}

// Note [iterative teardown]
// A long chain of nodes (an RNN, or a 100,000-op test) would free itself recursively, each
// destructor releasing the next node from inside itself, and overflow the stack. Instead each
// destructor moves its edges onto a local stack and releases the nodes it holds the last
// reference to one at a time, after emptying their own edges into the same stack.
Node::~Node() {
  std::vector<std::shared_ptr<Node>> stack;
  for (Edge& e : next_edges)
    if (e.node) stack.push_back(std::move(e.node));
  while (!stack.empty()) {
    std::shared_ptr<Node> n = std::move(stack.back());
    stack.pop_back();
    if (n.use_count() == 1) {
      for (Edge& e : n->next_edges)
        if (e.node) stack.push_back(std::move(e.node));
    }
    // n is released here with no edges left, so its destructor does not recurse.
  }
}

namespace {
thread_local uint64_t g_next_sequence_nr = 0;
}

uint64_t Node::next_sequence_nr() {
  return g_next_sequence_nr;
}
uint64_t Node::take_sequence_nr() {
  return g_next_sequence_nr++;
}

void Node::save(SavedTensor& slot, const Tensor& t) {
  slot.save(t);
  saved_.push_back(&slot);
}

void Node::release_saved() {
  for (SavedTensor* s : saved_) s->release();
}

std::vector<Tensor> AccumulateGrad::apply(std::vector<Tensor>& grad_outputs) {
  Tensor& g = grad_outputs[0];
  FFTUNE_CHECK(g.shape() == variable_.shape(), "AccumulateGrad: gradient of shape ", g.shape(),
               " for a leaf of shape ", variable_.shape());
  const Tensor& current = variable_.grad();
  if (!current.defined()) {
    // Take ownership of g when nobody else holds it; otherwise copy, so that later in-place
    // accumulation never writes into another tensor.
    const bool exclusive = g.impl_ptr().use_count() == 1 && g.storage().use_count() == 1 &&
                           g.is_contiguous() && g.dtype() == variable_.dtype();
    variable_.set_grad(exclusive ? g : g.to(variable_.dtype()).clone());
  } else {
    variable_.set_grad(autograd::sum_gradients(current, g));
  }
  return {};
}

bool any_requires_grad(std::initializer_list<Tensor> inputs) {
  if (!GradMode::enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

Edge edge_for(const Tensor& input) {
  if (!input.defined() || !input.requires_grad()) return {};
  if (input.grad_fn()) return {input.grad_fn(), input.impl()->output_nr};
  std::shared_ptr<Node> acc = input.impl()->grad_accumulator.lock();
  if (!acc) {
    acc = std::make_shared<AccumulateGrad>(input);
    acc->outputs.push_back({input.shape(), input.dtype(), input.device()});
    input.impl()->grad_accumulator = acc;
  }
  return {acc, 0};
}

void attach(const std::shared_ptr<Node>& node, std::initializer_list<Tensor> outputs) {
  uint32_t nr = 0;
  for (const Tensor& t : outputs) {
    TensorImpl* impl = t.impl();
    impl->grad_fn = node;
    impl->output_nr = nr++;
    impl->requires_grad = true;
    node->outputs.push_back({t.shape(), t.dtype(), t.device()});
  }
}

}  // namespace fftune
