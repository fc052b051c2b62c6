"""From-scratch NumPy implementations for *Optimization for Deep Learning: executable lecture notes*.

One module per concept; each is compared with tf.keras (or SciPy / scikit-learn) in ``tests/`` and
in its chapter.  No framework is imported here: NumPy (and SciPy where a chapter needs it) only.
"""

__version__ = "0.1.0"
