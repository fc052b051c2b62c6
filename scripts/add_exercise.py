"""The "implement it" exercise of every chapter, checked by ``lib.exercises``, and a command that adds it.

    python scripts/add_exercise.py book/05_momentum.ipynb      # then re-execute the chapter

Each exercise is seven cells appended at the end of the chapter (before a trailing CPU-time cell):

1. the statement (``{exercise}`` with the label ``ex-…-implement``);
2. the reader's template, executed: its body raises ``NotImplementedError``, and
   ``result = check_…(my_…)`` prints every case as failed without stopping the notebook (assign the
   result: a trailing ``;`` does not suppress the repr under nbval);
3. ``{solution-start}`` (a drop-down) with a line of explanation;
4. the solution and ``assert check_…(solution)``;
5. a sentence naming a classic mistake;
6. the mistake and ``assert not check_…(mistake)``: the checker is shown to catch it;
7. ``{solution-end}``.

Chapters 2, 3, 6, 8, 9 and 14 have theirs; 1, 4, 5, 7 and 10–13 are ready to add.
``tests/test_exercises.py`` runs every exercise's cells: the template fails its checker, the
solution passes, the mistake fails.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat


def md(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source.strip("\n"))


def code(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source.strip("\n"))


def exercise(label: str, statement: str, template: str, solution_text: str, solution: str, mistake_text: str,
             mistake: str) -> list[nbformat.NotebookNode]:
    """The seven cells of an implement-it exercise (see the module docstring)."""
    return [md(f":::{{exercise}}\n:label: {label}\n{statement.strip()}\n:::"),
            code(template),
            md(f":::{{solution-start}} {label}\n:class: dropdown\n:::\n\n{solution_text.strip()}".rstrip()),
            code(solution),
            md(mistake_text),
            code(mistake),
            md(":::{solution-end}\n:::")]


#: chapter number → the cells of its exercise
CH: dict[str, list[nbformat.NotebookNode]] = {}

CH["02"] = exercise(
"ex-objectives-implement",
r"""
**Implement it.** Write `my_softmax_cross_entropy(logits, y)` for a batch of $m$ rows of scores
(shape `(m, c)`) and $m$ integer labels. It returns the mean loss $\frac1m\sum_i -\ln o_{i,y_i}$ with
$\vo_i = \operatorname{softmax}(\mathbf s_i)$ (natural log) and its gradient with respect to the scores,
$(\vo - \operatorname{onehot}(y))/m$. Replace the `raise` in the cell below and run it:
`check_softmax_cross_entropy` from `lib.exercises` tries your function on the CS231n cat, on a batch
of three, and on scores of $\pm 1000$, and says which case fails and by how much.
""",
r'''
from lib.exercises import check_softmax_cross_entropy

def my_softmax_cross_entropy(logits, y):
    # o = softmax(s) row by row;  loss = mean of −ln o_y;  dlogits = (o − onehot(y)) / m
    raise NotImplementedError("write your softmax cross-entropy here")

result = check_softmax_cross_entropy(my_softmax_cross_entropy)
''',
r"""
Subtracting each row's largest score before `exp` changes nothing mathematically (softmax is
invariant to adding a constant to every score) but keeps `exp` from overflowing; computing
$\ln \vo$ as $\mathbf s - \ln\sum_j e^{s_j}$ avoids $\ln 0$.
""",
r'''
def softmax_cross_entropy_solution(logits, y):
    m = logits.shape[0]
    z = logits - logits.max(axis=1, keepdims=True)               # the largest score becomes 0: no overflow
    log_o = z - np.log(np.exp(z).sum(axis=1, keepdims=True))     # ln softmax(s)
    loss = -log_o[np.arange(m), y].mean()                        # mean of −ln o_y over the m rows
    dlogits = np.exp(log_o)
    dlogits[np.arange(m), y] -= 1.0                              # softmax(s) − onehot(y)
    return loss, dlogits / m

assert check_softmax_cross_entropy(softmax_cross_entropy_solution)
''',
r"""
The textbook softmax, $e^{s_j}/\sum_i e^{s_i}$ computed as written, is right for the cat and the
batch of three but overflows for a score of 1000 ($e^{1000}$ is `inf` in float64, and
`inf/inf` is `nan`). The checker catches it:
""",
r'''
def softmax_cross_entropy_naive(logits, y):
    m = logits.shape[0]
    o = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)   # overflows for large scores
    loss = -np.log(o[np.arange(m), y]).mean()
    return loss, (o - np.eye(logits.shape[1])[y]) / m

assert not check_softmax_cross_entropy(softmax_cross_entropy_naive)
''')

CH["03"] = exercise(
"ex-minibatch-implement",
r"""
**Implement it.** Write `my_minibatches(X, y, batch_size, seed)` that returns the mini-batches
`(X_batch, y_batch)` of one epoch ({prf:ref}`alg-minibatch-gd`): shuffle the $N$ samples with
`np.random.default_rng(seed)` (rows of `X` together with their labels), then cut them into
$\lceil N/m\rceil$ batches of $m$ = `batch_size`, keeping the last, smaller one. Replace the `raise`
below and run the cell: `check_minibatches` from `lib.exercises` checks the batch sizes, that every
sample appears exactly once and with its own label, that the order is shuffled, and that the seed
makes it reproducible.
""",
r'''
from lib.exercises import check_minibatches

def my_minibatches(X, y, batch_size, seed):
    # shuffle X and y with the same permutation, then cut into ⌈N/m⌉ batches (the last may be smaller)
    raise NotImplementedError("write your mini-batch iterator here")

result = check_minibatches(my_minibatches)
''',
r"""
One permutation indexes both arrays, so every row keeps its label; slicing the permuted indices in
steps of $m$ gives $\lceil N/m\rceil$ batches, the last one holding the $N \bmod m$ left over.
""",
r'''
def minibatches_solution(X, y, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(X))    # shuffle: one permutation for X and y
    return [(X[order[i:i + batch_size]], y[order[i:i + batch_size]])
            for i in range(0, len(X), batch_size)]              # partition: the last batch may be smaller

assert check_minibatches(minibatches_solution)
''',
r"""
A classic slip, when the batches are counted as $\lfloor N/m\rfloor$ (the number of *complete*
batches) and the remainder is forgotten: the $N \bmod m$ samples of the last batch are never used.
The checker catches it:
""",
r'''
def minibatches_drop_last(X, y, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(X))
    n_complete = len(X) // batch_size                            # ⌊N/m⌋: the remainder is lost
    return [(X[order[k * batch_size:(k + 1) * batch_size]], y[order[k * batch_size:(k + 1) * batch_size]])
            for k in range(n_complete)]

assert not check_minibatches(minibatches_drop_last)
''')

CH["06"] = exercise(
"ex-06-implement",
r"""
**Implement it.** Write `my_rmsprop_update(w, g, s, *, learning_rate, rho, epsilon)`, one step of
RMSprop in the notes' form ({prf:ref}`alg-06-rmsprop`), returning the new `(w, s)`:
$\vs \leftarrow \rho\vs + (1-\rho)\,\vg\odot\vg$, $\ \vw \leftarrow \vw - \alpha\,\vg/(\sqrt{\vs} + \epsilon)$.
Replace the `raise` below and run the cell: `check_rmsprop_update` from `lib.exercises` runs your
function for a few steps next to the reference, including a case with $\epsilon = 0.1$ and
gradients of 0.01 where the placement of $\epsilon$ ({ref}`adaptive-epsilon`) matters, and says after
which step and by how much your weights differ. (`check_adagrad_update` does the same for Adagrad.)
""",
r'''
from lib.exercises import check_rmsprop_update

def my_rmsprop_update(w, g, s, *, learning_rate, rho, epsilon):
    # s ← ρ·s + (1 − ρ)·g⊙g ;  w ← w − α·g/(√s + ε) ;  return the new w and s
    raise NotImplementedError("write your RMSprop step here")

result = check_rmsprop_update(my_rmsprop_update)
''',
r"""
Two lines, in the order of the equations: $\vs$ first, so that the step uses the new $\vs$.
""",
r'''
def rmsprop_update_solution(w, g, s, *, learning_rate, rho, epsilon):
    s = rho * s + (1 - rho) * g * g                      # s ← ρ·s + (1 − ρ)·g²
    w = w - learning_rate * g / (np.sqrt(s) + epsilon)   # w ← w − α·g/(√s + ε)
    return w, s

assert check_rmsprop_update(rmsprop_update_solution)
''',
r"""
With $\epsilon$ inside the square root, the boostcamp post's and Keras' form, the cases with
$\epsilon = 10^{-7}$ agree to the checker's tolerance, but the case made to tell the placements apart
fails, and the checker names the convention. It is not a bug in Keras, only another convention: checked against it, the same
function passes.
""",
r'''
def rmsprop_update_inside(w, g, s, *, learning_rate, rho, epsilon):
    s = rho * s + (1 - rho) * g * g
    w = w - learning_rate * g / np.sqrt(s + epsilon)     # ε inside the root
    return w, s

assert not check_rmsprop_update(rmsprop_update_inside)
assert check_rmsprop_update(rmsprop_update_inside, epsilon_placement="inside", verbose=False)
''')

CH["08"] = exercise(
"ex-lr-decay-implement",
r"""
**Implement it.** Write `my_inverse_time_decay(step, *, initial_learning_rate, decay_steps, decay_rate, staircase=False)`,
Keras' `InverseTimeDecay` and the notes' formula:
$\alpha = \alpha_0/(1 + \mathrm{decay\_rate}\cdot p)$ with $p = \mathrm{step}/\mathrm{decay\_steps}$, or
$\lfloor \mathrm{step}/\mathrm{decay\_steps}\rfloor$ with `staircase=True`; `step` counts updates from 0.
Replace the `raise` below and run the cell: `check_inverse_time_decay` from `lib.exercises` tries
the notes' $\alpha_0 = 0.2$ (0.2, 0.1, 0.067, 0.05, 0.04), a smooth and a staircase schedule.
""",
r'''
from lib.exercises import check_inverse_time_decay

def my_inverse_time_decay(step, *, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    # p = step / decay_steps (floored if staircase);  α = α₀ / (1 + decay_rate · p)
    raise NotImplementedError("write your schedule here")

result = check_inverse_time_decay(my_inverse_time_decay)
''',
"",
r'''
def inverse_time_decay_solution(step, *, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    p = step / decay_steps
    if staircase:
        p = math.floor(p)                                   # epochs completed
    return initial_learning_rate / (1 + decay_rate * p)

assert check_inverse_time_decay(inverse_time_decay_solution)
''',
r"""
Counting epochs from 1, as the notes do when they list epochs 1–4, decays the rate already in the
first epoch: every value is one epoch late. The checker catches it:
""",
r'''
def inverse_time_decay_from_1(step, *, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    epoch = step // decay_steps + 1 if staircase else step / decay_steps + 1   # epochs counted from 1
    return initial_learning_rate / (1 + decay_rate * epoch)

assert not check_inverse_time_decay(inverse_time_decay_from_1)
''')

CH["09"] = exercise(
"ex-09-implement",
r"""
**Implement it.** (a) Write `my_standardize(X_train, X_test)` that returns both splits normalized by
(5.9) with the mean and the (population) standard deviation of each feature **of the training split**
({ref}`ch9-normalization`). (b) Write `my_he_init(n_in, n_out, rng)` that returns He-normal weights of
shape `(n_in, n_out)` drawn from `rng` ({ref}`ch9-scale-init`). Replace the `raise`s below and run the
cell: `check_standardize` and `check_he_init` from `lib.exercises` say which case fails and why.
""",
r'''
from lib.exercises import check_he_init, check_standardize

def my_standardize(X_train, X_test):
    # μ, σ of every column of X_train (ddof = 0);  return (X_train − μ)/σ, (X_test − μ)/σ
    raise NotImplementedError("write your standardization here")

def my_he_init(n_in, n_out, rng):
    # shape (n_in, n_out), mean 0, standard deviation √(2/n_in), drawn from rng
    raise NotImplementedError("write your He initialization here")

check_standardize(my_standardize)
result = check_he_init(my_he_init)
''',
"",
r'''
def standardize_solution(X_train, X_test):
    mu, sigma = X_train.mean(axis=0), X_train.std(axis=0)        # statistics of the training split only
    return (X_train - mu) / sigma, (X_test - mu) / sigma

def he_init_solution(n_in, n_out, rng):
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)

assert check_standardize(standardize_solution) and check_he_init(he_init_solution)
''',
r"""
Two classic mistakes: standardizing the test split with its *own* statistics (a test set shifted
by +5 then looks exactly like the training set, so the shift the model should see is erased), and
Xavier's (LeCun's) variance $1/n_\text{in}$ in place of He's $2/n_\text{in}$. The checkers catch both:
""",
r'''
def standardize_each_split(X_train, X_test):
    return [(X - X.mean(axis=0)) / X.std(axis=0) for X in (X_train, X_test)]

def lecun_init(n_in, n_out, rng):
    return rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)

assert not check_standardize(standardize_each_split)
assert not check_he_init(lecun_init)
''')

CH["14"] = exercise(
"ex-14-implement",
r"""
**Implement it.** Write `my_two_loop_recursion(g, S, Y)` that returns $\mathbf M\vg$ for the L-BFGS
matrix of the pairs `S` $= [\mathbf s_1, \dots, \mathbf s_k]$, `Y` $= [\mathbf y_1, \dots, \mathbf y_k]$
(oldest first) with the initial matrix $\gamma\mathbf I$, $\gamma = \mathbf s_k^\top\mathbf y_k/\mathbf
y_k^\top\mathbf y_k$ ({ref}`so-quasi-newton`); with no pairs, $\mathbf M = \mathbf I$. Replace the
`raise` below and run the cell: `check_two_loop_recursion` from `lib.exercises` compares it with the
reference for 0, 1 and 3 pairs and checks the secant condition $\mathbf M\mathbf y_k = \mathbf s_k$.
""",
r'''
from lib.exercises import check_two_loop_recursion

def my_two_loop_recursion(g, S, Y):
    # q ← g; newest → oldest: a_i = ρ_i s_iᵀq, q ← q − a_i y_i;  r ← γq;
    # oldest → newest: b = ρ_i y_iᵀr, r ← r + (a_i − b) s_i;  return r        (ρ_i = 1/y_iᵀs_i)
    raise NotImplementedError("write your two-loop recursion here")

result = check_two_loop_recursion(my_two_loop_recursion)
''',
"",
r'''
def two_loop_solution(g, S, Y):
    k = len(S)
    rho = [1.0 / (Y[i] @ S[i]) for i in range(k)]
    q, a = np.array(g, dtype=float), [0.0] * k
    for i in reversed(range(k)):                                 # newest to oldest
        a[i] = rho[i] * (S[i] @ q)
        q = q - a[i] * Y[i]
    r = q * ((S[-1] @ Y[-1]) / (Y[-1] @ Y[-1])) if k else q      # γI
    for i in range(k):                                           # oldest to newest
        b = rho[i] * (Y[i] @ r)
        r = r + (a[i] - b) * S[i]
    return r

assert check_two_loop_recursion(two_loop_solution)
''',
r"""
Running the first loop in the same direction as the second (oldest to newest) is the classic slip:
with one pair it makes no difference, so a test with one pair would miss it; with three it does. The
checker catches it and names it:
""",
r'''
def two_loop_same_direction(g, S, Y):
    k = len(S)
    rho = [1.0 / (Y[i] @ S[i]) for i in range(k)]
    q, a = np.array(g, dtype=float), [0.0] * k
    for i in range(k):                                           # wrong: oldest to newest
        a[i] = rho[i] * (S[i] @ q)
        q = q - a[i] * Y[i]
    r = q * ((S[-1] @ Y[-1]) / (Y[-1] @ Y[-1])) if k else q
    for i in range(k):
        b = rho[i] * (Y[i] @ r)
        r = r + (a[i] - b) * S[i]
    return r

assert not check_two_loop_recursion(two_loop_same_direction)
''')


CH["01"] = exercise(
"ex-ch1-implement",
r"""
**Implement it.** Write `my_numerical_gradient(f, w, h)` that returns the central-difference estimate
$(J(\vw + h\mathbf e_i) - J(\vw - h\mathbf e_i))/(2h)$ for every entry $i$ of `w` (any shape, e.g. a
weight matrix), leaving the caller's `w` unchanged. Replace the `raise` below and run the cell:
`check_numerical_gradient` from `lib.exercises` tries a quadratic, a cubic with a large $h$ (where
forward and central differences part), a matrix, and that `w` is left as it was.
""",
r'''
from lib.exercises import check_numerical_gradient

def my_numerical_gradient(f, w, h):
    # for every index i: (f(w + h·e_i) − f(w − h·e_i)) / (2h), on a copy of w
    raise NotImplementedError("write your numerical gradient here")

result = check_numerical_gradient(my_numerical_gradient)
''',
r"""
Perturb one entry of a private copy at a time and put it back before moving on.
""",
r'''
def numerical_gradient_solution(f, w, h):
    w = np.array(w, dtype=float)                  # a private copy: the caller's w is never touched
    g = np.zeros_like(w)
    for i in np.ndindex(w.shape):                 # every entry, whatever the shape
        old = w[i]
        w[i] = old + h
        f_plus = f(w)
        w[i] = old - h
        f_minus = f(w)
        w[i] = old                                # restore before the next entry
        g[i] = (f_plus - f_minus) / (2 * h)
    return g

assert check_numerical_gradient(numerical_gradient_solution)
''',
r"""
Forward differences, $(J(\vw + h\mathbf e_i) - J(\vw))/h$, are right for a quadratic only to $O(h)$:
the checker's cubic with $h = 0.1$ shows the difference and names it:
""",
r'''
def numerical_gradient_forward(f, w, h):
    w = np.array(w, dtype=float)
    g, f0 = np.zeros_like(w), f(w)
    for i in np.ndindex(w.shape):
        old = w[i]
        w[i] = old + h
        g[i] = (f(w) - f0) / h
        w[i] = old
    return g

assert not check_numerical_gradient(numerical_gradient_forward)
''')

CH["04"] = exercise(
"ex-ewma-implement",
r"""
**Implement it.** Write `my_ewma(theta, beta, bias_correction)` that returns $v_1, \dots, v_T$ of
$v_t = \beta v_{t-1} + (1-\beta)\theta_t$ from $v_0 = 0$ for a 1-D array `theta`, divided by
$1-\beta^t$ when `bias_correction` is true. Replace the `raise` below and run the cell: `check_ewma`
from `lib.exercises` tries a constant series (where the bias is plain to see) and ten temperatures.
""",
r'''
from lib.exercises import check_ewma

def my_ewma(theta, beta, bias_correction):
    # v_0 = 0;  v_t = β·v_{t−1} + (1 − β)·θ_t;  divide by 1 − β^t (t from 1) if bias_correction
    raise NotImplementedError("write your exponentially weighted average here")

result = check_ewma(my_ewma)
''',
"",
r'''
def ewma_solution(theta, beta, bias_correction):
    v, out = 0.0, np.empty(len(theta))
    for t, x in enumerate(theta, start=1):
        v = beta * v + (1 - beta) * x             # v_t = β·v_{t−1} + (1 − β)·θ_t
        out[t - 1] = v / (1 - beta**t) if bias_correction else v
    return out

assert check_ewma(ewma_solution)
''',
r"""
Starting from the first value, $v_0 = \theta_1$, is a common way to avoid the bias; it is a
different average, and without correction the checker says so:
""",
r'''
def ewma_from_first(theta, beta, bias_correction):
    v, out = theta[0], np.empty(len(theta))
    for t, x in enumerate(theta, start=1):
        v = beta * v + (1 - beta) * x
        out[t - 1] = v / (1 - beta**t) if bias_correction else v
    return out

assert not check_ewma(ewma_from_first)
''')

CH["05"] = exercise(
"ex-05-implement",
r"""
**Implement it.** Write `my_momentum_update(w, g, v, *, learning_rate, beta)`, one step of momentum in
the notes' EWMA form, returning the new `(w, v)`: $\vv \leftarrow \beta\vv + (1-\beta)\vg$,
$\vw \leftarrow \vw - \alpha\vv$. Replace the `raise` below and run the cell: `check_momentum_update`
from `lib.exercises` runs it for a few steps next to the reference and says after which step and by
how much your weights part.
""",
r'''
from lib.exercises import check_momentum_update

def my_momentum_update(w, g, v, *, learning_rate, beta):
    # v ← β·v + (1 − β)·g ;  w ← w − α·v ;  return the new w and v
    raise NotImplementedError("write your momentum step here")

result = check_momentum_update(my_momentum_update)
''',
"",
r'''
def momentum_update_solution(w, g, v, *, learning_rate, beta):
    v = beta * v + (1 - beta) * g                 # v ← β·v + (1 − β)·g
    w = w - learning_rate * v                     # w ← w − α·v
    return w, v

assert check_momentum_update(momentum_update_solution)
''',
r"""
Keras' velocity form, $\mathbf u \leftarrow \beta\mathbf u - \alpha\vg$, $\vw \leftarrow \vw + \mathbf u$,
fails the check for the EWMA form from the first step on (its step is $1/(1-\beta)$ times larger at
the same α), and the checker names the form; checked as the velocity form, it passes:
""",
r'''
def momentum_update_velocity(w, g, v, *, learning_rate, beta):
    v = beta * v - learning_rate * g
    return w + v, v

assert not check_momentum_update(momentum_update_velocity)
assert check_momentum_update(momentum_update_velocity, form="velocity", verbose=False)
''')

CH["07"] = exercise(
"ex-07-implement",
r"""
**Implement it.** Write `my_adam_update(w, g, v, s, t, *, learning_rate, beta_1, beta_2, epsilon)`,
step $t = 1, 2, \dots$ of Adam as in the notes and the paper's algorithm 1, returning the new
`(w, v, s)` (with $\vv$ and $\vs$ *uncorrected*). Replace the `raise` below and run the cell:
`check_adam_update` from `lib.exercises` tries the first step, ten steps, and a case with
$\epsilon = 0.1$ where the three placements of ε part.
""",
r'''
from lib.exercises import check_adam_update

def my_adam_update(w, g, v, s, t, *, learning_rate, beta_1, beta_2, epsilon):
    # v ← β₁v + (1 − β₁)g;  s ← β₂s + (1 − β₂)g²;  v̂ = v/(1 − β₁^t), ŝ = s/(1 − β₂^t);  w ← w − α·v̂/(√ŝ + ε)
    raise NotImplementedError("write your Adam step here")

result = check_adam_update(my_adam_update)
''',
"",
r'''
def adam_update_solution(w, g, v, s, t, *, learning_rate, beta_1, beta_2, epsilon):
    v = beta_1 * v + (1 - beta_1) * g
    s = beta_2 * s + (1 - beta_2) * g * g
    v_hat, s_hat = v / (1 - beta_1**t), s / (1 - beta_2**t)      # corrected copies; v, s stay as they are
    w = w - learning_rate * v_hat / (np.sqrt(s_hat) + epsilon)
    return w, v, s

assert check_adam_update(adam_update_solution)
''',
r"""
Leaving out the bias correction makes the first step $(1-\beta_1)/\sqrt{1-\beta_2} \approx 3.16$
times too large, and every case fails. Keras' ε̂ form is not a mistake but another convention: it
passes when checked as such.
""",
r'''
def adam_update_uncorrected(w, g, v, s, t, *, learning_rate, beta_1, beta_2, epsilon):
    v = beta_1 * v + (1 - beta_1) * g
    s = beta_2 * s + (1 - beta_2) * g * g
    return w - learning_rate * v / (np.sqrt(s) + epsilon), v, s

def adam_update_hat(w, g, v, s, t, *, learning_rate, beta_1, beta_2, epsilon):
    v = beta_1 * v + (1 - beta_1) * g
    s = beta_2 * s + (1 - beta_2) * g * g
    alpha_t = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return w - alpha_t * v / (np.sqrt(s) + epsilon), v, s

assert not check_adam_update(adam_update_uncorrected)
assert check_adam_update(adam_update_hat, epsilon_placement="hat", verbose=False)
''')

CH["10"] = exercise(
"ex-10-implement",
r"""
**Implement it.** Write `my_batchnorm_backward(dy, x, gamma, epsilon)` that returns
$(\partial J/\partial\mathbf x, \partial J/\partial\gamma, \partial J/\partial\beta)$ for batch
normalization in training, $y = \gamma\odot\hat{\mathbf x} + \beta$ with the batch's mean and biased
variance over the $m$ rows of `x`. Replace the `raise` below and run the cell:
`check_batchnorm_backward` from `lib.exercises` compares it with the `lib` layer (equal to Keras).
""",
r'''
from lib.exercises import check_batchnorm_backward

def my_batchnorm_backward(dy, x, gamma, epsilon):
    # x̂ = (x − μ)/√(σ² + ε);  ∂J/∂γ = Σ dy⊙x̂;  ∂J/∂β = Σ dy;  ∂J/∂x̂ = dy⊙γ;
    # ∂J/∂x = (m·∂J/∂x̂ − Σ ∂J/∂x̂ − x̂⊙Σ ∂J/∂x̂⊙x̂) / (m√(σ² + ε))      (sums over the rows)
    raise NotImplementedError("write your batch-norm backward pass here")

result = check_batchnorm_backward(my_batchnorm_backward)
''',
"",
r'''
def batchnorm_backward_solution(dy, x, gamma, epsilon):
    m = x.shape[0]
    inv_std = 1 / np.sqrt(x.var(axis=0) + epsilon)          # biased variance, as in the forward pass
    x_hat = (x - x.mean(axis=0)) * inv_std
    dgamma, dbeta = (dy * x_hat).sum(axis=0), dy.sum(axis=0)
    dx_hat = dy * gamma
    dx = inv_std / m * (m * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, dgamma, dbeta

assert check_batchnorm_backward(batchnorm_backward_solution)
''',
r"""
Treating the batch mean and variance as constants, as inference may, gives
$\partial J/\partial\mathbf x = \mathrm{dy}\odot\gamma/\sqrt{\sigma^2+\epsilon}$: it misses that every
row moves μ and σ², and the checker catches it:
""",
r'''
def batchnorm_backward_constant_stats(dy, x, gamma, epsilon):
    inv_std = 1 / np.sqrt(x.var(axis=0) + epsilon)
    x_hat = (x - x.mean(axis=0)) * inv_std
    return dy * gamma * inv_std, (dy * x_hat).sum(axis=0), dy.sum(axis=0)

assert not check_batchnorm_backward(batchnorm_backward_constant_stats)
''')

CH["11"] = exercise(
"ex-11-implement",
r"""
**Implement it.** (a) Write `my_l2_step(w, g, *, learning_rate, lam)`, one gradient step on the
lecture's penalized loss $J + \lambda\lVert\vw\rVert^2$. (b) Write `my_soft_threshold(w, threshold)`,
the proximal step of an L1 penalty, which moves every weight toward 0 by `threshold` and stops at 0.
Replace the `raise`s below and run the cell: `check_l2_step` and `check_soft_threshold` from
`lib.exercises` say which case fails and why.
""",
r'''
from lib.exercises import check_l2_step, check_soft_threshold

def my_l2_step(w, g, *, learning_rate, lam):
    # w ← w − α(g + 2λw) = (1 − 2αλ)·w − α·g
    raise NotImplementedError("write your L2 step here")

def my_soft_threshold(w, threshold):
    # sign(w) · max(|w| − threshold, 0)
    raise NotImplementedError("write your soft threshold here")

check_l2_step(my_l2_step)
result = check_soft_threshold(my_soft_threshold)
''',
"",
r'''
def l2_step_solution(w, g, *, learning_rate, lam):
    return (1 - 2 * learning_rate * lam) * w - learning_rate * g

def soft_threshold_solution(w, threshold):
    return np.sign(w) * np.maximum(np.abs(w) - threshold, 0.0)

assert check_l2_step(l2_step_solution) and check_soft_threshold(soft_threshold_solution)
''',
r"""
Two classic slips: the factor of the boostcamp post's $\frac{\alpha}{2}\lVert W\rVert^2$ (λ instead of
2λ) in the lecture's penalty, and the subgradient step $w - \text{threshold}\cdot\operatorname{sign}(w)$,
which overshoots past 0 and never gives an exact zero:
""",
r'''
def l2_step_half(w, g, *, learning_rate, lam):
    return (1 - learning_rate * lam) * w - learning_rate * g

def subgradient_step(w, threshold):
    return w - threshold * np.sign(w)

assert not check_l2_step(l2_step_half)
assert not check_soft_threshold(subgradient_step)
''')

CH["12"] = exercise(
"ex-12-implement",
r"""
**Implement it.** Write inverted dropout for training: `my_dropout_forward(x, rate, rng)` drops each
unit with probability `rate` (drawing from `rng`), scales the kept ones by $1/(1-\text{rate})$ and
returns `(a, cache)`; `my_dropout_backward(da, cache)` returns $\partial J/\partial\mathbf x$ with the
same mask. Replace the `raise`s below and run the cell: `check_dropout` from `lib.exercises` checks on
200,000 units what must hold for any mask.
""",
r'''
from lib.exercises import check_dropout

def my_dropout_forward(x, rate, rng):
    # keep = (uniform draws ≥ rate);  mask = keep / (1 − rate);  return x·mask and what backward needs
    raise NotImplementedError("write your dropout forward pass here")

def my_dropout_backward(da, cache):
    raise NotImplementedError("write your dropout backward pass here")

result = check_dropout(my_dropout_forward, my_dropout_backward)
''',
"",
r'''
def dropout_forward_solution(x, rate, rng):
    mask = (rng.random(x.shape) >= rate) / (1 - rate)        # kept with probability 1 − rate, scaled
    return x * mask, mask

def dropout_backward_solution(da, mask):
    return da * mask                                         # the same mask and scale

assert check_dropout(dropout_forward_solution, dropout_backward_solution)
''',
r"""
Reading `rate` as the probability of *keeping* a unit (Ng's `keep_prob`) drops 80 % of the units
instead of 20 %; the checker catches it:
""",
r'''
def dropout_forward_keep_prob(x, rate, rng):
    mask = (rng.random(x.shape) < rate) / rate               # rate used as keep_prob
    return x * mask, mask

assert not check_dropout(dropout_forward_keep_prob, dropout_backward_solution)
''')

CH["13"] = exercise(
"ex-13-implement",
r"""
**Implement it.** Write `my_log_uniform(low, high, size, rng)` that samples a learning rate on the
notes' "appropriate scale": $10^r$ with $r$ uniform between $\log_{10}$ `low` and $\log_{10}$ `high`,
drawn from `rng`. Replace the `raise` below and run the cell: `check_log_uniform` from
`lib.exercises` checks the range, a quarter of the samples per decade between $10^{-4}$ and 1, and
reproducibility.
""",
r'''
from lib.exercises import check_log_uniform

def my_log_uniform(low, high, size, rng):
    # r ~ uniform(log10 low, log10 high);  return 10**r
    raise NotImplementedError("write your sampler here")

result = check_log_uniform(my_log_uniform)
''',
"",
r'''
def log_uniform_solution(low, high, size, rng):
    return 10.0 ** rng.uniform(np.log10(low), np.log10(high), size)

assert check_log_uniform(log_uniform_solution)
''',
r"""
Sampling uniformly between `low` and `high` puts 90 % of the samples in the top decade:
""",
r'''
def uniform_sampler(low, high, size, rng):
    return rng.uniform(low, high, size)

assert not check_log_uniform(uniform_sampler)
''')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="chapters book/NN_*.ipynb")
    args = parser.parse_args()
    for path in args.notebooks:
        number = path.name[:2]
        if number not in CH:
            raise SystemExit(f"no exercise for chapter {number} ({path})")
        nb = nbformat.read(path, as_version=4)
        label = CH[number][0].source.split(":label: ")[1].split()[0]
        if any(label in c.source for c in nb.cells):
            raise SystemExit(f"{path} already has the exercise {label}")
        pos = len(nb.cells)
        if nb.cells and "import resource" in nb.cells[-1].source:   # keep the CPU-time cell last
            pos -= 1
        nb.cells[pos:pos] = CH[number]
        nbformat.write(nb, path)
        print(f"added {label} to {path}; re-execute it with scripts/execute_notebooks.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
