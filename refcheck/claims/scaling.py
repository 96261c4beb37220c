"""Claims of the page data/feature-scaling.md, measured with scikit-learn on its wine dataset.

The 13 wine features span four orders of magnitude (hue ~1, proline ~750), which makes the effect of
scaling easy to see. Every model is compared with itself on raw and on scaled features, with a fixed
split or a fixed cross-validation, so the only thing that changes is the scaling.
"""

from __future__ import annotations

from refcheck import claim

PAGE = "data/feature-scaling.md"


def _wine():
    from sklearn.datasets import load_wine

    data = load_wine()
    return data.data, data.target, list(data.feature_names)


def _split():
    from sklearn.model_selection import train_test_split

    x, y, _ = _wine()
    return train_test_split(x, y, test_size=0.3, stratify=y, random_state=0)


def _scalings(x_train):
    """Ways of rescaling each feature: StandardScaler, MinMaxScaler and random positive factors per feature."""
    import numpy as np
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    factors = np.random.default_rng(0).uniform(0.001, 1000, size=x_train.shape[1])
    return {
        "StandardScaler": StandardScaler().fit(x_train).transform,
        "MinMaxScaler": MinMaxScaler().fit(x_train).transform,
        "random per-feature factors": lambda x: x * factors,
    }


@claim(
    "scaling.knn-needs-scaling",
    page=PAGE,
    says="k-nearest neighbours (k=5) on wine: 5-fold cross-validated accuracy is about 0.66 on raw features and about "
    "0.96 with StandardScaler fitted inside each training fold.",
)
def knn(ctx):
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y, _ = _wine()
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    raw = float(cross_val_score(KNeighborsClassifier(), x, y, cv=cv).mean())
    scaled = float(cross_val_score(make_pipeline(StandardScaler(), KNeighborsClassifier()), x, y, cv=cv).mean())
    ctx.expect_less(raw + 0.2, scaled, "raw accuracy + 0.2 < scaled accuracy")
    ctx.expect_between(scaled, 0.9, 1.0, "scaled accuracy")
    return {"cv_accuracy_raw": raw, "cv_accuracy_standardized": scaled}


@claim(
    "scaling.pca-dominated-by-proline",
    page=PAGE,
    says="PCA on raw wine features: the first component is essentially the proline axis (|loading| > 0.99, proline "
    "being the feature with the largest variance; feature standard deviations span from 0.12 to 314) and explains over 99% of the variance; after standardizing, no "
    "feature has a loading above 0.5 and the first component explains about 36%.",
)
def pca(ctx):
    import numpy as np
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    x, _, names = _wine()
    raw = PCA().fit(x)
    top = int(np.argmax(np.abs(raw.components_[0])))
    ctx.expect_equal(names[top], names[int(np.argmax(x.var(0)))], "largest loading is on the largest-variance feature")
    ctx.expect_equal(names[top], "proline", "that feature")
    ctx.expect_equal(names[int(np.argmin(x.std(0)))], "nonflavanoid_phenols", "feature with the smallest spread")
    ctx.expect_less(1000 * x.std(0).min(), x.std(0).max(), "largest / smallest feature std > 1000")
    ctx.expect_between(abs(float(raw.components_[0][top])), 0.99, 1.0, "|loading of proline| in PC1 (raw)")
    ctx.expect_between(float(raw.explained_variance_ratio_[0]), 0.99, 1.0, "variance explained by PC1 (raw)")
    std = PCA().fit(StandardScaler().fit_transform(x))
    ctx.expect_less(float(np.abs(std.components_[0]).max()), 0.5, "largest |loading| in PC1 (standardized)")
    return {
        "raw_pc1_top_feature": names[top],
        "raw_pc1_loading": float(raw.components_[0][top]),
        "raw_pc1_explained": float(raw.explained_variance_ratio_[0]),
        "feature_std_min_max": [float(x.std(0).min()), float(x.std(0).max())],
        "feature_mean_min_max": [float(x[:, int(np.argmin(x.std(0)))].mean()), float(x[:, top].mean())],
        "standardized_pc1_max_abs_loading": float(np.abs(std.components_[0]).max()),
        "standardized_pc1_explained": float(std.explained_variance_ratio_[0]),
    }


@claim(
    "scaling.tree-invariant",
    page=PAGE,
    says="A decision tree's test predictions are identical on raw, standardized, min-max scaled and randomly "
    "rescaled features: splits are thresholds on one feature at a time, and positive per-feature scaling keeps their order.",
)
def tree(ctx):
    import numpy as np
    from sklearn.tree import DecisionTreeClassifier

    x_train, x_test, y_train, _ = _split()
    base = DecisionTreeClassifier(random_state=0).fit(x_train, y_train).predict(x_test)
    agree = {}
    for name, f in _scalings(x_train).items():
        pred = DecisionTreeClassifier(random_state=0).fit(f(x_train), y_train).predict(f(x_test))
        agree[name] = float(np.mean(pred == base))
        ctx.expect_equal(pred, base, f"test predictions with {name} == raw")
    return {"test_samples": len(x_test), "agreement_with_raw": agree}


@claim(
    "scaling.lda-invariant",
    page=PAGE,
    says="Linear discriminant analysis gives identical predictions (and class probabilities equal to 1e-8) on raw "
    "and rescaled features: it is invariant to any invertible linear rescaling of the inputs.",
)
def lda(ctx):
    import numpy as np
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    x_train, x_test, y_train, _ = _split()
    raw = LinearDiscriminantAnalysis().fit(x_train, y_train)
    out = {}
    for name, f in _scalings(x_train).items():
        m = LinearDiscriminantAnalysis().fit(f(x_train), y_train)
        ctx.expect_equal(m.predict(f(x_test)), raw.predict(x_test), f"predictions with {name} == raw")
        # probabilities pass through exp of rescaled quantities; 1e-8 is far below any decision margin
        out[name] = ctx.expect_close(
            m.predict_proba(f(x_test)), raw.predict_proba(x_test), f"probabilities with {name}", atol=1e-8
        )
    ctx.expect(bool(np.isfinite(list(out.values())).all()), "all comparisons finite")
    return {"max_abs_probability_diff": out}


@claim(
    "scaling.gaussian-nb-nearly-invariant",
    page=PAGE,
    says="Gaussian naive Bayes is essentially unchanged by per-feature scaling: predictions agree on at least 98% of "
    "test samples and accuracy moves by at most one sample; it is not exactly invariant only because var_smoothing adds 1e-9 × the largest "
    "feature variance to every variance, and with var_smoothing=0 predictions are identical.",
)
def gnb(ctx):
    import numpy as np
    from sklearn.naive_bayes import GaussianNB

    x_train, x_test, y_train, y_test = _split()
    raw = GaussianNB().fit(x_train, y_train)
    raw0 = GaussianNB(var_smoothing=0).fit(x_train, y_train)
    acc_raw = float(raw.score(x_test, y_test))
    out = {"accuracy_raw": acc_raw}
    for name, f in _scalings(x_train).items():
        m = GaussianNB().fit(f(x_train), y_train)
        agree = float(np.mean(m.predict(f(x_test)) == raw.predict(x_test)))
        ctx.expect_between(agree, 0.98, 1.0, f"prediction agreement with {name}")
        acc = float(m.score(f(x_test), y_test))
        ctx.expect_close(acc, acc_raw, f"test accuracy with {name} vs raw", atol=0.02)  # at most one sample of 54
        m0 = GaussianNB(var_smoothing=0).fit(f(x_train), y_train)
        ctx.expect_equal(
            m0.predict(f(x_test)), raw0.predict(x_test), f"var_smoothing=0: predictions with {name} == raw"
        )
        out[name] = {"agreement": agree, "accuracy": acc}
    return out


def _gd_iterations(a, b, tol: float = 1e-6, check_steps: int = 300):
    """Iterations of gradient descent (step 1/L) on least squares until the excess loss falls below tol x its start.

    Uses the exact closed form of GD on a quadratic, e_t = (I - H/L)^t e_0, so that runs of millions of
    iterations can be counted; the closed form is cross-checked against a real GD loop for check_steps steps.
    """
    import numpy as np

    n = len(a)
    h = a.T @ a / n
    g = a.T @ b / n
    w_star = np.linalg.solve(h, g)
    lam, vec = np.linalg.eigh(h)
    step = 1 / lam.max()
    c = vec.T @ (np.zeros(a.shape[1]) - w_star)

    def excess(t):
        return 0.5 * float(np.sum(lam * (1 - step * lam) ** (2 * t) * c**2))

    w = np.zeros(a.shape[1])
    loop = []
    for _ in range(check_steps):
        w = w - step * (h @ w - g)
        loop.append(0.5 * float((w - w_star) @ h @ (w - w_star)))
    closed = [excess(t) for t in range(1, check_steps + 1)]
    target = tol * excess(0)
    lo, hi = 0, 1
    while excess(hi) > target:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if excess(mid) <= target else (mid, hi)
    return hi, float(lam.max() / lam.min()), loop, closed


@claim(
    "scaling.gradient-descent-faster",
    page=PAGE,
    says="Gradient descent on a linear regression (predict alcohol from the other 12 wine features, step 1/L) reaches "
    "a 1e-6 relative error in tens of iterations on standardized features and needs over a million times more "
    "on raw features, because raw features make the problem's condition number ~1e8 instead of ~50.",
)
def gradient_descent(ctx):
    import numpy as np
    from sklearn.preprocessing import StandardScaler

    x, _, _ = _wine()
    target, feats = x[:, 0], x[:, 1:]
    ones = np.ones((len(x), 1))
    raw_a = np.hstack([ones, feats])
    std_a = np.hstack([ones, StandardScaler().fit_transform(feats)])
    it_raw, kappa_raw, loop_raw, closed_raw = _gd_iterations(raw_a, target)
    it_std, kappa_std, loop_std, closed_std = _gd_iterations(std_a, target)
    # the closed form must reproduce a real GD loop (float64 rounding only)
    ctx.expect_close(loop_std, closed_std, "closed form vs GD loop, standardized", atol=1e-12, rtol=1e-6)
    ctx.expect_close(loop_raw, closed_raw, "closed form vs GD loop, raw", atol=1e-12, rtol=1e-6)
    ctx.expect_less(it_std, 100, "iterations on standardized features")
    ratio = it_raw / it_std
    ctx.expect_less(1e6, ratio, "iterations raw / standardized")
    return {
        "iterations_standardized": it_std,
        "iterations_raw": it_raw,
        "ratio": ratio,
        "condition_number_standardized": kappa_std,
        "condition_number_raw": kappa_raw,
    }


@claim(
    "scaling.standardizing-keeps-shape",
    page=PAGE,
    says="Standardizing does not make a feature normal: the skewness and kurtosis of every wine feature are unchanged "
    "by StandardScaler (to 1e-9); only the location and scale change.",
)
def keeps_shape(ctx):
    import numpy as np
    from sklearn.preprocessing import StandardScaler

    x, _, names = _wine()
    z = StandardScaler().fit_transform(x)

    def moments(a):
        c = (a - a.mean(0)) / a.std(0)
        return (c**3).mean(0), (c**4).mean(0) - 3

    skew_raw, kurt_raw = moments(x)
    skew_std, kurt_std = moments(z)
    ctx.expect_close(skew_std, skew_raw, "skewness per feature after vs before", atol=1e-9)
    ctx.expect_close(kurt_std, kurt_raw, "excess kurtosis per feature after vs before", atol=1e-9)
    ctx.expect_close(z.mean(0), np.zeros(13), "means after standardizing", atol=1e-9)
    ctx.expect_close(z.std(0), np.ones(13), "standard deviations after standardizing", atol=1e-9)
    most = int(np.argmax(np.abs(skew_raw)))
    return {
        "most_skewed_feature": names[most],
        "its_skewness": float(skew_raw[most]),
        "after_standardizing": float(skew_std[most]),
    }
