// SPDX-License-Identifier: MIT
/* glue.hpp -- libsgdr in a tiny-dnn training loop: the hooks and one epoch (included once, by
 * main.cpp; docs/guides/tinydnn.md shows this file in full). */

// tiny-dnn's momentum clears its velocities in reset(), which every train() call makes: this
// one keeps them, so that each epoch can be one train() call with its own batch order.
struct Momentum : tiny_dnn::momentum {
    void reset() override {}
    std::unordered_map<const tiny_dnn::vec_t *, tiny_dnn::vec_t> &velocity() { return E_[0]; }
};

// Every layer's weights and biases, in order: copied out of the net into w, or back.
void copy_weights(Net &net, Weights &w, bool out)
{
    std::size_t k = 0;
    if (out) w.clear();
    for (std::size_t i = 0; i < net.depth(); i++)
        for (tiny_dnn::vec_t *v : net[i]->weights()) out ? w.push_back(*v) : void(*v = w.at(k++));
}

void attach(sgdr::Scheduler &s, Net &net, Momentum &opt, std::map<std::uint32_t, Weights> &snaps)
{
    // the optimizer trains with its public float alpha
    s.set_lr_hooks(nullptr, [&opt](double lr) { opt.alpha = static_cast<tiny_dnn::float_t>(lr); });
    s.set_weight_hooks([&](std::uint32_t cycle) { copy_weights(net, snaps[cycle], true); },
                       [&](std::uint32_t cycle) { copy_weights(net, snaps.at(cycle), false); });
}

// One epoch: the images x, y (in this epoch's order) in batches; lr[b] gets the rate batch b
// trained with, read from the optimizer before libsgdr sets the next one.
void train_epoch(sgdr::Scheduler &s, Net &net, Momentum &opt, const std::vector<tiny_dnn::vec_t> &x,
                 const std::vector<tiny_dnn::label_t> &y, std::size_t batch, std::uint64_t epoch,
                 double *lr)
{
    std::uint64_t b = 0;
    net.train<tiny_dnn::cross_entropy_multiclass>(opt, x, y, batch, 1, [&] {
        lr[b] = opt.alpha;
        s.on_batch_end(b++);
    }, [] {});
    s.on_epoch_end(epoch);
}
