/* SPDX-License-Identifier: MIT */
/* glue.h -- libsgdr in a darknet training loop: the hooks and one epoch (included once, by
 * main.c; docs/guides/darknet.md shows this file in full). */

/* set_lr: with policy=constant, update_network() trains with net->learning_rate. */
static int set_lr(void *net, double lr)
{
    ((network *)net)->learning_rate = (float)lr;
    return 0;
}

static void attach(sgdr_scheduler *s, network *net, weight_store *snaps)
{
    sgdr_set_lr_hooks(s, NULL, set_lr, net);
    sgdr_set_weight_hooks(s, store_take, store_restore, snaps);
}

/* One epoch: the rows order[0..n) of x and y in batches. lr[b] gets the rate batch b trained
 * with, read back from darknet; *loss the mean of the batches' losses. */
static sgdr_status train_epoch(sgdr_scheduler *s, network *net, float **x, float **y,
                               const size_t *order, size_t n, size_t batch, size_t epoch,
                               double *lr, double *loss)
{
    data d = {0};
    sgdr_status st;
    size_t b, i, spe = (n + batch - 1) / batch;
    *loss = 0;
    for (b = 0; b < spe; b++) {
        sgdr_metric m = {"loss", 0};
        d.X.rows = d.y.rows = (int)(b + 1 < spe ? batch : n - b * batch);
        d.X.cols = net->inputs, d.y.cols = net->outputs;
        d.X.vals = x + n, d.y.vals = y + n; /* scratch row pointers after the n rows */
        for (i = 0; i < (size_t)d.X.rows; i++)
            d.X.vals[i] = x[order[b * batch + i]], d.y.vals[i] = y[order[b * batch + i]];
        set_batch_network(net, d.X.rows);
        lr[b] = get_current_rate(net);
        *loss += m.value = train_network(net, d);
        if ((st = sgdr_on_batch_end(s, b, &m, 1)) != SGDR_OK) return st;
    }
    *loss /= (double)spe;
    return sgdr_on_epoch_end(s, epoch, NULL, 0);
}
