"""Loss and accuracy curves of one or more runs, side by side (matplotlib, saved to a file)."""
import matplotlib

matplotlib.use("Agg")  # files only: runs on machines without a display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def plot_histories(histories, path):
    """Training loss per batch (left) and test accuracy per epoch (right), one line per mode."""
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for h in histories:
        per_epoch = len(h.losses) / max(len(h.accuracies), 1)
        loss_ax.plot(np.arange(1, len(h.losses) + 1) / per_epoch, h.losses, label=h.mode, alpha=0.8)
        acc_ax.plot(np.arange(1, len(h.accuracies) + 1), 100 * np.asarray(h.accuracies),
                    marker="o", label=h.mode)
    loss_ax.set(xlabel="epoch", ylabel="MSE loss", title="Training loss")
    acc_ax.set(xlabel="epoch", ylabel="accuracy (%)", title="Test accuracy")
    for ax in (loss_ax, acc_ax):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
