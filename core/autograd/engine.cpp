#include "core/autograd/engine.h"

#include <algorithm>
#include <deque>
#include <unordered_map>

#include "core/autograd/grad_mode.h"
#include "core/autograd/node.h"
#include "core/tensor/factory.h"

namespace fftune::autograd {
namespace {

// Counts, for every node reachable from `roots`, how many edges point at it. An explicit
// stack instead of recursion: a 100,000-node chain must not overflow the call stack.
std::unordered_map<Node*, int> count_dependencies(const std::vector<Node*>& roots) {
  std::unordered_map<Node*, int> deps;
  std::vector<Node*> stack;
  std::unordered_map<Node*, bool> seen;
  for (Node* r : roots) {
    if (!seen[r]) {
      seen[r] = true;
      stack.push_back(r);
    }
  }
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (const Edge& e : n->next_edges) {
      if (!e.node) continue;
      Node* next = e.node.get();
      ++deps[next];
      if (!seen[next]) {
        seen[next] = true;
        stack.push_back(next);
      }
    }
  }
  return deps;
}

void accumulate(Tensor& slot, const Tensor& g) {
  slot = slot.defined() ? sum_gradients(slot, g) : g;
}

}  // namespace

void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads,
              bool retain_graph) {
  FFTUNE_CHECK(roots.size() == grads.size(), "backward: ", roots.size(), " tensors but ",
               grads.size(), " gradients");
  NoGradGuard no_grad;  // backward formulas do not record a graph (no double backward)

  // Each node's incoming gradients, one slot per output of the node.
  std::unordered_map<Node*, std::vector<Tensor>> buffers;
  std::vector<std::shared_ptr<Node>> root_nodes;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& root = roots[i];
    FFTUNE_CHECK(root.defined() && root.requires_grad(), "backward: tensor ", i,
                 " does not require grad and has no grad_fn");
    Tensor g = grads[i];
    if (!g.defined()) {
      FFTUNE_CHECK(root.numel() == 1, "backward: a gradient must be given for a non-scalar ",
                   "output of shape ", root.shape());
      g = ones_like(root);
    }
    FFTUNE_CHECK(g.shape() == root.shape(), "backward: gradient shape ", g.shape(),
                 " does not match the output shape ", root.shape());
    FFTUNE_CHECK(g.device() == root.device(), "backward: gradient on ", g.device(),
                 " for an output on ", root.device());
    Edge e = edge_for(root);
    auto& buf = buffers[e.node.get()];
    buf.resize(e.node->outputs.size());
    accumulate(buf[e.input_nr], g);
    root_nodes.push_back(e.node);
  }

  std::vector<Node*> raw_roots;
  for (auto& n : root_nodes) raw_roots.push_back(n.get());
  std::unordered_map<Node*, int> deps = count_dependencies(raw_roots);

  // Kahn's algorithm: a node runs once every edge into it has delivered its gradient.
  std::deque<std::shared_ptr<Node>> ready;
  for (auto& n : root_nodes)
    if (deps[n.get()] == 0 && std::find(ready.begin(), ready.end(), n) == ready.end())
      ready.push_back(n);

  while (!ready.empty()) {
    std::shared_ptr<Node> node = std::move(ready.front());
    ready.pop_front();
    std::vector<Tensor> grad_outputs = std::move(buffers[node.get()]);
    buffers.erase(node.get());
    grad_outputs.resize(node->outputs.size());
    for (size_t k = 0; k < grad_outputs.size(); ++k) {
      if (!grad_outputs[k].defined()) {
        const TensorMeta& m = node->outputs[k];
        grad_outputs[k] = zeros(m.shape, m.dtype, m.device);
      }
    }
    std::vector<Tensor> grad_inputs = node->apply(grad_outputs);
    if (!retain_graph) node->release_saved();

    for (size_t i = 0; i < node->next_edges.size(); ++i) {
      const Edge& e = node->next_edges[i];
      if (!e.node) continue;
      if (i < grad_inputs.size() && grad_inputs[i].defined()) {
        const TensorMeta& expected = e.node->outputs[e.input_nr];
        FFTUNE_CHECK(grad_inputs[i].shape() == expected.shape, node->name(),
                     ": backward returned a gradient of shape ", grad_inputs[i].shape(),
                     " for input ", i, " of shape ", expected.shape);
        auto& buf = buffers[e.node.get()];
        buf.resize(e.node->outputs.size());
        accumulate(buf[e.input_nr], grad_inputs[i]);
      }
      if (--deps[e.node.get()] == 0) ready.push_back(e.node);
    }
  }
}

}  // namespace fftune::autograd
