"""Claims of the page training/early-stopping.md: overfitting shows in the validation loss, and early
stopping restores the best epoch's weights exactly.

The setup overfits on purpose: 20 noisy samples of sin(3x), a 1-64-64-1 tanh MLP, full-batch Adam.
Training is deterministic on one device, so "the best epoch's weights" can be recomputed
independently by re-running training from the same seed for exactly that many epochs.
"""

from __future__ import annotations

import copy

from refcheck import claim

PAGE = "training/early-stopping.md"




def _data(ctx):
    import torch

    gen = torch.Generator().manual_seed(0)

    def sample(n):
        x = torch.rand(n, 1, generator=gen) * 4 - 2
        return x, torch.sin(3 * x) + 0.3 * torch.randn(n, 1, generator=gen)

    xt, yt = sample(20)
    xv, yv = sample(200)
    return [t.to(ctx.device) for t in (xt, yt, xv, yv)]


def _model(ctx):
    import torch
    from torch import nn

    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1)).to(ctx.device)


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
    loss_fn = nn.MSELoss()
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
    ax.set_ylabel("MSE")
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


EPOCHS, PATIENCE = 600, 30


@claim(
    "early-stopping.val-minimum-before-end",
    page=PAGE,
    says="On a small overfitting setup (20 noisy points, a 64-64 MLP, 600 epochs) the validation loss reaches its "
    "minimum long before the last epoch and then rises, while the training loss keeps falling.",
    figure=_curves_figure,
)
def val_minimum_before_end(ctx):
    _, full = train(ctx, EPOCHS)
    train_loss, val_loss = full["train"], full["val"]
    best = full["best_epoch"]
    ctx.expect_less(best, EPOCHS // 2, "epoch of minimum validation loss")
    ctx.expect_less(val_loss[best] * 1.5, val_loss[-1], "best val loss x1.5 < final val loss")
    ctx.expect_less(train_loss[-1], train_loss[best] / 2, "final train loss < half the train loss at the best epoch")
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
        val = torch.nn.functional.mse_loss(model.eval()(xv), yv).item()
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
        torch.nn.functional.mse_loss(model(xt), yt).backward()
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


@claim(
    "early-stopping.keras-restore-best-weights",
    page=PAGE,
    says="Keras's EarlyStopping(restore_best_weights=True) leaves the model at its best epoch (its validation loss "
    "equals the history's minimum); without it the model keeps the last epoch's weights.",
    needs=("keras",),
)
def keras_restore(ctx):
    import warnings

    keras = ctx.keras()
    import numpy as np

    xt, yt, xv, yv = (t.cpu().numpy() for t in _data(ctx))
    out = {}
    for restore in (True, False):
        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [
                keras.Input((1,)),
                keras.layers.Dense(64, activation="tanh"),
                keras.layers.Dense(64, activation="tanh"),
                keras.layers.Dense(1),
            ]
        )
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
        stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=restore)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            hist = model.fit(xt, yt, validation_data=(xv, yv), epochs=600, batch_size=20, verbose=0, callbacks=[stop])
            final = float(model.evaluate(xv, yv, verbose=0))
        val = hist.history["val_loss"]
        out[restore] = {
            "epochs_run": len(val),
            "best_epoch": int(np.argmin(val)),
            "best_val": float(min(val)),
            "last_val": float(val[-1]),
            "val_after_fit": final,
        }
    r, n = out[True], out[False]
    ctx.expect_less(r["epochs_run"], 600, "training stopped early")
    # evaluate() recomputes the same float32 loss; 1e-5 relative covers summation-order differences
    ctx.expect_close(
        r["val_after_fit"],
        r["best_val"],
        "restore_best_weights=True: val loss after fit == best epoch's",
        atol=0,
        rtol=1e-5,
    )
    ctx.expect_close(
        n["val_after_fit"],
        n["last_val"],
        "restore_best_weights=False: val loss after fit == last epoch's",
        atol=0,
        rtol=1e-5,
    )
    ctx.expect_less(n["best_val"], n["val_after_fit"], "without restoring, the kept model is worse than the best")
    return {"restore_best_weights=True": r, "restore_best_weights=False": n, "keras": keras.__version__}
