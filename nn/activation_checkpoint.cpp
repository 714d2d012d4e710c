#include "nn/activation_checkpoint.h"

#include <string>
#include <unordered_set>

#include "core/autograd/engine.h"
#include "core/autograd/grad_mode.h"
#include "core/autograd/node.h"

namespace fftune::nn {
namespace {

// Where one generator stood: its seed and the next stream it hands out.
struct GeneratorState {
  Generator* generator;
  uint64_t seed, stream;
};

std::vector<GeneratorState> capture(const std::vector<Generator*>& generators) {
  std::vector<GeneratorState> states;
  if (generators.empty()) states.push_back({&default_generator(), 0, 0});
  for (Generator* g : generators) states.push_back({g ? g : &default_generator(), 0, 0});
  for (GeneratorState& s : states) {
    s.seed = s.generator->seed();
    s.stream = s.generator->stream_position();
  }
  return states;
}

void restore(const std::vector<GeneratorState>& states) {
  for (const GeneratorState& s : states) {
    s.generator->manual_seed(s.seed);
    s.generator->set_stream_position(s.stream);
  }
}

// Sets the generators to `then` for the lifetime of the object, then back to where they were:
// the recompute draws the forward's masks, and the draws after backward go on as if it had not
// run.
class RewindGenerators {
 public:
  explicit RewindGenerators(const std::vector<GeneratorState>& then) {
    std::vector<Generator*> generators;
    for (const GeneratorState& s : then) generators.push_back(s.generator);
    now_ = capture(generators);
    restore(then);
  }
  ~RewindGenerators() { restore(now_); }
  RewindGenerators(const RewindGenerators&) = delete;
  RewindGenerators& operator=(const RewindGenerators&) = delete;

 private:
  std::vector<GeneratorState> now_;
};

// Throws if the graph of `output` reaches a node made before the recompute began (sequence
// number below `first`) other than a leaf's accumulator: fn read a tensor computed with grad
// outside it, and back-propagating would run that part of the outer graph a second time.
void check_recomputed_graph(const Tensor& output, uint64_t first) {
  if (!output.grad_fn()) return;  // fn returned a leaf
  std::vector<Node*> stack = {output.grad_fn().get()};
  std::unordered_set<Node*> seen = {stack.back()};
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    if (dynamic_cast<AccumulateGrad*>(n)) continue;
    FFTUNE_CHECK(n->sequence_nr() >= first, "checkpoint: the checkpointed function reads a tensor ",
                 "that was computed with grad outside it (its graph reaches ", n->name(),
                 " of the outer graph); pass that tensor in `inputs`");
    for (const Edge& e : n->next_edges)
      if (e.node && seen.insert(e.node.get()).second) stack.push_back(e.node.get());
  }
}

class CheckpointBackward final : public Node {
 public:
  CheckpointBackward(CheckpointFn fn, std::vector<GeneratorState> generators, size_t num_inputs)
      : fn_(std::move(fn)), generators_(std::move(generators)), inputs_(num_inputs) {}
  std::string name() const override { return "CheckpointBackward"; }

  // The inputs to keep: slots sized once, so that the addresses Node::save records stay valid.
  SavedTensor& input_slot(size_t i) { return inputs_[i]; }

  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    // 1. Fresh leaves over the saved inputs: the recomputed graph stops at them.
    std::vector<Tensor> leaves(inputs_.size());
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const Tensor x = inputs_[i].unpack(*this);
      if (!x.defined()) continue;
      leaves[i] = x.detach();
      if (needs_input_grad(i)) leaves[i].set_requires_grad(true);
    }
    // 2-3. The recompute, with the forward's random streams and grad mode on (the engine runs
    // backward under NoGradGuard).
    const uint64_t first = Node::next_sequence_nr();
    Tensor y;
    {
      RewindGenerators rewind(generators_);
      EnableGradGuard grad_on;
      y = fn_(leaves);
    }
    FFTUNE_CHECK(y.defined() && y.shape() == outputs[0].shape, name(),
                 ": the recompute returned a tensor of shape ", y.defined() ? y.shape() : Shape{},
                 ", the forward one of shape ", outputs[0].shape,
                 " (the checkpointed function must be deterministic)");
    // 4. Backward through it; parameters receive their gradients on the way, inputs on the
    // leaves.
    if (y.requires_grad()) {
      check_recomputed_graph(y, first);
      autograd::backward({y}, {grads[0]});
    }
    std::vector<Tensor> dinputs(leaves.size());
    for (size_t i = 0; i < leaves.size(); ++i)
      if (needs_input_grad(i) && leaves[i].defined()) dinputs[i] = leaves[i].grad();
    return dinputs;
  }

 private:
  CheckpointFn fn_;
  std::vector<GeneratorState> generators_;  // as they stood before the forward
  std::vector<SavedTensor> inputs_;
};

bool any_requires_grad(const std::vector<Tensor>& tensors) {
  for (const Tensor& t : tensors)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

}  // namespace

Tensor checkpoint(const CheckpointFn& fn, const std::vector<Tensor>& inputs,
                  const std::vector<Tensor>& params, const std::vector<Generator*>& generators) {
  if (!GradMode::enabled() || !(any_requires_grad(inputs) || any_requires_grad(params)))
    return fn(inputs);

  auto node = std::make_shared<CheckpointBackward>(fn, capture(generators), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    node->next_edges.push_back(edge_for(inputs[i]));
    node->save(node->input_slot(i), inputs[i]);
  }
  Tensor y;
  {
    NoGradGuard no_grad;
    y = fn(inputs);
  }
  FFTUNE_CHECK(y.defined(), "checkpoint: the checkpointed function returned an undefined tensor");
  // An alias of its own: fn may return one of its inputs, whose grad_fn must stay as it is.
  y = y.detach();
  attach(node, {y});
  return y;
}

}  // namespace fftune::nn
