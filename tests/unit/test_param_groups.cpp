// nn/param_groups.h: groups by pattern (first match wins, frozen parameters left out), the
// errors for unmatched parameters and empty patterns, and AdamW/SGD built from the groups.
#include <gtest/gtest.h>

#include "nn/adamw.h"
#include "nn/linear.h"
#include "nn/param_groups.h"
#include "nn/sgd.h"
#include "tests/support/test_support.h"

namespace fftune::nn {
namespace {

class Net : public Module {
 public:
  Net() {
    query = register_module("query", std::make_shared<Linear>(4, 4));
    value = register_module("value", std::make_shared<Linear>(4, 4));
    classifier = register_module("classifier", std::make_shared<Linear>(4, 2));
  }
  std::shared_ptr<Linear> query, value, classifier;
};

TEST(ParamGroups, ByPatternFirstMatchWins) {
  Net net;
  net.set_requires_grad({"value"}, false);
  const auto groups =
      param_groups_by_pattern(net, {{"query.weight", 1e-1, 0.0}, {"re:.*", 1e-3, 0.01}});
  ASSERT_EQ(groups.size(), 2u);
  ASSERT_EQ(groups[0].params.size(), 1u);
  EXPECT_TRUE(groups[0].params[0].is_same(net.query->weight()));
  EXPECT_EQ(groups[0].lr, 1e-1);
  ASSERT_EQ(groups[1].params.size(), 3u);  // query.bias, classifier.* (value is frozen)
  EXPECT_EQ(groups[1].weight_decay, 0.01);

  AdamW adamw(groups, {.beta2 = 0.98});
  EXPECT_EQ(adamw.lr(0), 1e-1);
  EXPECT_EQ(adamw.lr(1), 1e-3);
  EXPECT_EQ(adamw.state_dict().at("param_groups.1.beta2").item(), 0.98);
  EXPECT_EQ(adamw.state_dict().at("param_groups.1.weight_decay").item(), 0.01);
  SGD sgd(groups, {.momentum = 0.9});
  EXPECT_EQ(sgd.lr(0), 1e-1);
}

TEST(ParamGroups, Errors) {
  Net net;
  EXPECT_FFTUNE_ERROR(param_groups_by_pattern(net, {{"query", 1e-2, 0.0}}),
                      "match no group pattern");
  EXPECT_FFTUNE_ERROR(
      param_groups_by_pattern(net, {{"re:.*", 1e-2, 0.0}, {"classifier", 1e-3, 0.0}}),
      "pattern 'classifier' (group 1) matches no trainable parameter");
  EXPECT_FFTUNE_ERROR(param_groups_by_pattern(net, {}), "no group specs");
}

}  // namespace
}  // namespace fftune::nn
