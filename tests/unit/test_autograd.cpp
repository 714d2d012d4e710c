// core/autograd: the graph, the engine, accumulation, retain_graph, version checks, freezing,
// and a 100,000-node chain.
#include <gtest/gtest.h>

#include "core/autograd/node.h"
#include "tests/support/test_support.h"

namespace fftune {
namespace {

TEST(Autograd, GradientsAccumulateIntoLeaves) {
  Tensor x = from_vector<double>({1, 2, 3}, {3}).set_requires_grad(true);
  Tensor y = sum(mul(x, x));  // dy/dx = 2x
  EXPECT_FALSE(y.is_leaf());
  y.backward();
  EXPECT_EQ(to_vector<double>(x.grad()), (std::vector<double>{2, 4, 6}));
  sum(x).backward();  // a second graph adds into .grad
  EXPECT_EQ(to_vector<double>(x.grad()), (std::vector<double>{3, 5, 7}));
}

TEST(Autograd, SharedSubgraphSumsBothPaths) {
  Tensor x = from_vector<double>({2}, {1}).set_requires_grad(true);
  Tensor a = exp(x);
  Tensor y = sum(add(mul(a, a), a));  // e^{2x} + e^x
  y.backward();
  const double e = std::exp(2.0);
  EXPECT_NEAR(to_vector<double>(x.grad())[0], 2 * e * e + e, 1e-9);
}

TEST(Autograd, NonScalarBackwardNeedsAGradient) {
  Tensor x = from_vector<double>({1, 2}, {2}).set_requires_grad(true);
  Tensor y = mul(x, 3.0);
  EXPECT_FFTUNE_ERROR(y.backward(), "must be given for a non-scalar");
  EXPECT_FFTUNE_ERROR(y.backward(ones({3}, DType::f64)), "does not match");
  y.backward(from_vector<double>({1, 10}, {2}));
  EXPECT_EQ(to_vector<double>(x.grad()), (std::vector<double>{3, 30}));
}

TEST(Autograd, RetainGraph) {
  Tensor x = from_vector<double>({1.5}, {1}).set_requires_grad(true);
  Tensor y = sum(exp(x));
  y.backward(Tensor(), /*retain_graph=*/true);
  y.backward();
  EXPECT_NEAR(to_vector<double>(x.grad())[0], 2 * std::exp(1.5), 1e-12);
  EXPECT_FFTUNE_ERROR(y.backward(), "retain_graph=true");
}

TEST(Autograd, InPlaceChangeOfASavedTensorIsAnError) {
  Tensor w = from_vector<double>({1, 2}, {2}).set_requires_grad(true);
  Tensor x = from_vector<double>({3, 4}, {2});
  Tensor y = sum(mul(w, x));
  x.fill_(0);  // x was saved by mul for dL/dw
  EXPECT_FFTUNE_ERROR(y.backward(), "modified in place");
}

TEST(Autograd, InPlaceWriteToATensorThatRequiresGradIsRefused) {
  Tensor w = zeros({2}).set_requires_grad(true);
  EXPECT_FFTUNE_ERROR(w.fill_(1), "requires grad");
  {
    NoGradGuard no_grad;
    w.fill_(1);  // allowed: how optimizers update
  }
  EXPECT_EQ(to_vector<float>(w), (std::vector<float>{1, 1}));
}

// A node that records whether its inputs' gradients were asked for.
class ProbeNode final : public Node {
 public:
  std::string name() const override { return "Probe"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    asked0 = needs_input_grad(0);
    asked1 = needs_input_grad(1);
    return {asked0 ? grads[0] : Tensor(), asked1 ? grads[0] : Tensor()};
  }
  bool asked0 = false, asked1 = false;
};

TEST(Autograd, FrozenInputsAreNeverAskedForAGradient) {
  Tensor frozen = ones({2}, DType::f64);
  Tensor trained = ones({2}, DType::f64).set_requires_grad(true);
  Tensor out = add(frozen, trained);
  auto probe = make_node<ProbeNode>({frozen, trained});
  ASSERT_TRUE(probe);
  Tensor y = out.detach();
  attach(probe, {y});
  sum(y).backward();
  EXPECT_FALSE(probe->asked0);
  EXPECT_TRUE(probe->asked1);
  EXPECT_FALSE(frozen.grad().defined());
  EXPECT_TRUE(trained.grad().defined());
}

TEST(Autograd, NoGradGuardAndDetachRecordNothing) {
  Tensor x = ones({2}).set_requires_grad(true);
  {
    NoGradGuard no_grad;
    EXPECT_FALSE(exp(x).requires_grad());
  }
  EXPECT_TRUE(exp(x).requires_grad());
  EXPECT_FALSE(exp(x.detach()).requires_grad());
  EXPECT_FFTUNE_ERROR(exp(x).set_requires_grad(false), "only leaf tensors");
  EXPECT_FFTUNE_ERROR(zeros({2}, DType::i64).set_requires_grad(true), "floating and complex");
}

TEST(Autograd, HundredThousandNodeChainNeitherOverflowsNorLeaks) {
  Tensor x = ones({1}, DType::f64).set_requires_grad(true);
  std::weak_ptr<Node> first;
  {
    Tensor y = x;
    for (int i = 0; i < 100000; ++i) {
      y = mul(y, 1.0);
      if (i == 0) first = y.grad_fn();
    }
    sum(y).backward();
    EXPECT_EQ(to_vector<double>(x.grad())[0], 1.0);
    Tensor z = x;
    for (int i = 0; i < 100000; ++i) z = add(z, 0.0);  // torn down without backward
  }
  EXPECT_TRUE(first.expired());  // the whole chain was freed
}

}  // namespace
}  // namespace fftune
