// Activation checkpointing (Chen et al. 2016, "Training Deep Nets with Sublinear Memory Cost";
// torch.utils.checkpoint): trade compute for memory by keeping a function's inputs instead of
// its activations, and running it again during backward.
//
//   y = checkpoint([layer](const std::vector<Tensor>& in) { return layer->forward(in[0], in[1]); },
//                  {x, mask}, layer->parameters(/*trainable_only=*/true), {gen});
//
// Forward runs fn under NoGradGuard: it records no graph, so every intermediate tensor of fn is
// freed as soon as fn no longer needs it. The output gets a single node, CheckpointBackward,
// that keeps only the inputs (and fn). When backward reaches it, the node
//   1. makes fresh leaves of the saved inputs (requiring grad where the input did),
//   2. rewinds `generators` to where they stood when the forward began, so dropout draws the
//      same masks (the generators are counter-based: a mask is a function of (seed, stream)),
//   3. runs fn again with grad enabled — the recompute — and puts the generators back,
//   4. back-propagates the output gradient through the recomputed graph: a trainable parameter
//      fn reads gets its gradient there (in .grad, as any leaf), a frozen one none, and the
//      inputs' gradients, collected on the fresh leaves, go on into the outer graph.
// The gradients are those of the plain forward, bit for bit on the CPU: the recompute runs the
// same kernels on the same values, and its backward sums the same terms in the same order.
//
// Contract. fn must be a pure function of its inputs, of `params` and of tensors that need no
// gradient (weights of a frozen model, an attention mask). A tensor that fn reads and that was
// computed with grad outside it (not a leaf) must be passed in `inputs`: the recompute would
// otherwise back-propagate into the outer graph a second time — checkpoint detects that and
// throws naming the node. `params` are the trainable leaves fn reads; they only decide whether a
// graph is needed when no input requires grad (the first layer of a frozen model with adapters:
// its input does not require grad, its adapter coefficients do). Parameters missing from the
// list still get their gradients whenever some input requires grad.
//
// Cost: one more forward of fn per backward. Saving: fn's activations, minus its inputs, for as
// long as the graph lives — for a Transformer layer most of its memory (the attention
// probabilities, the 4·C-wide MLP activations, the merged adapter weights).
#pragma once

#include <functional>
#include <vector>

#include "core/tensor/factory.h"
#include "core/tensor/tensor.h"

namespace fftune::nn {

using CheckpointFn = std::function<Tensor(const std::vector<Tensor>&)>;

// fn(inputs), keeping only `inputs` for backward (above). `generators` are those fn draws
// random numbers from (dropout masks); a null entry stands for the default generator, and an
// empty list means the default generator alone. Without grad mode, or when no input and no
// parameter requires grad, this is plainly fn(inputs). Inputs may be undefined tensors.
Tensor checkpoint(const CheckpointFn& fn, const std::vector<Tensor>& inputs,
                  const std::vector<Tensor>& params = {},
                  const std::vector<Generator*>& generators = {});

}  // namespace fftune::nn
