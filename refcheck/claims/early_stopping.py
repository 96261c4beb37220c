"""Claims of the page training/early-stopping.md: overfitting shows in the validation loss, and early
stopping restores the best epoch's weights exactly.

The setup overfits on purpose: 60 two-dimensional points labelled by the side of the line x1 + x2 = 0
they fall on, with 15% of the labels flipped, a 2-64-64-1 tanh MLP, full-batch Adam on the binary
cross-entropy. The net first learns the line, then memorises the flipped labels, and its confident
mistakes make the validation loss climb. Training is deterministic on one device, so "the best epoch's weights" can be
recomputed independently by re-running training from the same seed for exactly that many epochs.
"""

from __future__ import annotations

import copy

from refcheck import claim

PAGE = "training/early-stopping.md"


N_TRAIN, N_VAL, FLIP = 60, 400, 0.15


def _data(ctx):
    """(x_train, y_train, x_val, y_val): points of N(0, I_2), label 1 where x1 + x2 > 0, FLIP of the labels flipped."""
    import torch

    gen = ctx.generator(0)

    def sample(n):
        x = torch.randn(n, 2, generator=gen)
        y = (x[:, 0] + x[:, 1] > 0).float()
        flipped = torch.rand(n, generator=gen) < FLIP
        return x, torch.where(flipped, 1 - y, y)[:, None]

    xt, yt = sample(N_TRAIN)
    xv, yv = sample(N_VAL)
    return [t.to(ctx.device) for t in (xt, yt, xv, yv)]


def _model(ctx):
    import torch
    from torch import nn

    torch.manual_seed(ctx.seed_for(0))
    return nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1)).to(ctx.device)


def train(ctx, epochs: int, patience: int | None = None):
    """See ``_train``."""
    return _train(ctx, epochs, patience)


def _train(ctx, epochs: int, patience: int | None = None):
    """Full-batch training; with ``patience``, early stopping that keeps and restores the best weights.

    Returns the model (restored to its best weights when stopping early) and the history.
    """
    import torch
    from torch import nn

    xt, yt, xv, yv = _data(ctx)
    model = _model(ctx)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.BCEWithLogitsLoss()
    history = {"train": [], "val": []}
    best_val, best_epoch, best_state, waited = float("inf"), -1, None, 0
    for epoch in range(epochs):
        model.train()
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            train_loss, val_loss = loss_fn(model(xt), yt).item(), loss_fn(model(xv), yv).item()
        history["train"].append(train_loss)
        history["val"].append(val_loss)
        if val_loss < best_val:
            best_val, best_epoch, waited = val_loss, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            waited += 1
            if patience is not None and waited >= patience:
                break
    if patience is not None:
        model.load_state_dict(best_state)
    history.update(best_epoch=best_epoch, best_val=best_val, stopped_after=len(history["val"]))
    return model, history


def _curves_figure(ev):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6))
    epochs = range(1, len(ev["train_loss"]) + 1)
    ax.semilogy(epochs, ev["train_loss"], label="training loss")
    ax.semilogy(epochs, ev["val_loss"], label="validation loss")
    best = ev["best_epoch"] + 1
    ax.axvline(best, color="green", ls="--", lw=1, label=f"best epoch ({best})")
    ax.axvline(ev["early_stop_after"], color="grey", ls=":", lw=1, label=f"early stop, patience {ev['patience']}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("binary cross-entropy")
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return fig


def _stop_epoch(val_loss: list[float], patience: int) -> int:
    """Epochs an early-stopping run with this patience would have run, read off a full history."""
    best, best_epoch = float("inf"), 0
    for epoch, v in enumerate(val_loss):
        if v < best:
            best, best_epoch = v, epoch
        elif epoch - best_epoch >= patience:
            return epoch + 1
    return len(val_loss)


EPOCHS, PATIENCE = 300, 30


@claim(
    "early-stopping.val-minimum-before-end",
    page=PAGE,
    says=f"On a small overfitting setup ({N_TRAIN} points split by a line, {FLIP:.0%} of their labels flipped, a "
    f"64-64 tanh MLP, full-batch Adam for {EPOCHS} epochs) the validation loss reaches its minimum in the first half "
    "of training and ends more than 1.5x above it, while the training loss keeps falling, to less than half its "
    "value at the best epoch.",
    figure=_curves_figure,
    tags=("statistical",),
)
def val_minimum_before_end(ctx):
    _, full = train(ctx, EPOCHS)
    train_loss, val_loss = full["train"], full["val"]
    best = full["best_epoch"]
    ctx.expect_less(best, EPOCHS // 2, "epoch of minimum validation loss")
    ctx.expect_greater(val_loss[-1] / val_loss[best], 1.5, "final val loss / best val loss")
    ctx.expect_less(train_loss[-1] / train_loss[best], 0.5, "final train loss / train loss at the best epoch")
    return {
        "best_epoch": best,
        "epochs": EPOCHS,
        "val_loss_best": val_loss[best],
        "val_loss_last": val_loss[-1],
        "train_loss_at_best": train_loss[best],
        "train_loss_last": train_loss[-1],
        "patience": PATIENCE,
        "early_stop_after": _stop_epoch(val_loss, PATIENCE),
        "train_loss": train_loss,
        "val_loss": val_loss,
    }


@claim(
    "early-stopping.restores-best-weights",
    page=PAGE,
    says="Early stopping with patience 30 stops 30 epochs after the best one and restores weights bitwise equal to "
    "those of an independent run trained for exactly the best epoch's number of epochs, with the same validation loss.",
)
def restores_best_weights(ctx):
    import torch

    model, hist = train(ctx, EPOCHS, patience=PATIENCE)
    best = hist["best_epoch"]
    ctx.expect_equal(hist["stopped_after"], best + 1 + PATIENCE, "epochs run before stopping")
    reference, _ = train(ctx, best + 1)  # independent: train again from the same seed up to the best epoch
    restored, ref = model.state_dict(), reference.state_dict()
    differ = [k for k in ref if not torch.equal(restored[k], ref[k])]
    ctx.expect_equal(differ, [], "tensors that differ from the re-trained best-epoch model")
    xt, yt, xv, yv = _data(ctx)
    with torch.no_grad():
        val = torch.nn.functional.binary_cross_entropy_with_logits(model.eval()(xv), yv).item()
    ctx.expect_equal(val, hist["best_val"], "validation loss of the restored model == best recorded")
    return {
        "best_epoch": best,
        "stopped_after": hist["stopped_after"],
        "tensors_compared": len(ref),
        "restored_val_loss": val,
    }


@claim(
    "early-stopping.state-dict-is-live",
    page=PAGE,
    says="model.state_dict() returns references to the live tensors: saving `best = model.state_dict()` without a "
    "copy silently ends up holding the final weights; copy.deepcopy (or {k: v.clone()}) keeps the best ones.",
)
def state_dict_is_live(ctx):
    import torch

    model = _model(ctx)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    alias = model.state_dict()
    snapshot = copy.deepcopy(model.state_dict())
    before = {k: v.clone() for k, v in snapshot.items()}
    xt, yt, _, _ = _data(ctx)
    for _ in range(5):
        opt.zero_grad()
        torch.nn.functional.binary_cross_entropy_with_logits(model(xt), yt).backward()
        opt.step()
    now = model.state_dict()
    ctx.expect(all(torch.equal(alias[k], now[k]) for k in now), "the un-copied 'best' equals the current weights")
    ctx.expect(
        not all(torch.equal(alias[k], before[k]) for k in now), "the un-copied 'best' no longer holds the old weights"
    )
    ctx.expect(all(torch.equal(snapshot[k], before[k]) for k in now), "the deepcopy still holds the old weights")
    shared = sum(alias[k].data_ptr() == p.data_ptr() for k, p in model.named_parameters())
    ctx.expect_equal(shared, len(list(model.parameters())), "state_dict tensors sharing memory with the parameters")
    return {"parameters_sharing_memory": shared}


KERAS_LR, KERAS_PATIENCE = 0.05, 10  # a Keras epoch with validation costs ~10 ms: a faster, shorter run than torch's


def _keras_fit(ctx, keras, data, epochs: int, restore: bool) -> dict:
    """The torch setup in Keras (same data, 2-64-64-1 tanh, full-batch Adam, binary cross-entropy on logits) with
    EarlyStopping(patience=KERAS_PATIENCE); returns the validation history and the loss evaluate() gives after fit."""
    import warnings

    import numpy as np

    xt, yt, xv, yv = data
    keras.utils.set_random_seed(ctx.seed_for(0))
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(64, activation="tanh"),
            keras.layers.Dense(64, activation="tanh"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(KERAS_LR), loss=keras.losses.BinaryCrossentropy(from_logits=True))
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=KERAS_PATIENCE, restore_best_weights=restore)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hist = model.fit(
            xt, yt, batch_size=N_TRAIN, epochs=epochs, validation_data=(xv, yv), validation_batch_size=N_VAL,
            verbose=0, callbacks=[stop],
        )  # fmt: skip
        after = float(model.evaluate(xv, yv, batch_size=N_VAL, verbose=0))
    val = hist.history["val_loss"]
    return {
        "epochs_run": len(val),
        "best_epoch": int(np.argmin(val)),
        "best_val": float(min(val)),
        "last_val": float(val[-1]),
        "val_after_fit": after,
    }


@claim(
    "early-stopping.keras-restore-best-weights",
    page=PAGE,
    says=f"Keras 3's EarlyStopping(patience={KERAS_PATIENCE}, restore_best_weights=True) leaves the model at its best "
    "epoch (its validation loss equals the history's minimum, to float32 rounding), also when fit() runs all its "
    "epochs without stopping early; without it the model keeps the last epoch's weights, which here are "
    f"{KERAS_PATIENCE} epochs into overfitting.",
    needs=("keras",),
    tags=("statistical",),
)
def keras_restore(ctx):
    keras = ctx.keras()
    data = [t.cpu().numpy() for t in _data(ctx)]
    restored = _keras_fit(ctx, keras, data, EPOCHS, restore=True)
    kept = _keras_fit(ctx, keras, data, EPOCHS, restore=False)
    # Keras 3 restores in on_train_end, so also when fit() ends before the patience runs out (tf.keras 2 restored
    # only when it stopped early). The same run, cut one epoch short of where early stopping would end it:
    short = _keras_fit(ctx, keras, data, restored["best_epoch"] + KERAS_PATIENCE, restore=True)
    ctx.expect_less(restored["epochs_run"], EPOCHS, "epochs run with early stopping")
    ctx.expect_equal(short["epochs_run"], restored["best_epoch"] + KERAS_PATIENCE, "epochs run when fit() ends first")
    # the equality checks below tell "best" from "last" only if those differ by far more than their 1e-5 tolerance
    gap = kept["last_val"] / kept["best_val"] - 1
    ctx.expect_greater(gap, 1e-3, "(last epoch's val loss - best) / best")
    # evaluate() recomputes the same float32 loss on the same single batch: equal up to rounding
    for name, run, want in (
        ("restore_best_weights=True: val loss after fit == best epoch's", restored, "best_val"),
        ("restore_best_weights=False: val loss after fit == last epoch's", kept, "last_val"),
        (
            "restore_best_weights=True, fit() ended without stopping: val loss after fit == best epoch's",
            short,
            "best_val",
        ),
    ):
        ctx.expect_close(run["val_after_fit"], run[want], name, atol=0, rtol=1e-5)
    return {
        "restore_best_weights=True": restored,
        "restore_best_weights=False": kept,
        "restore_best_weights=True, fit() ends one epoch before early stopping would": short,
        "keras": keras.__version__,
    }
