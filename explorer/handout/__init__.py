"""Hand-outs: a page's view exported as a print-resolution PNG, and the lesson PDF that walks one photo
through the whole tour (kernels, a convolution by hand, pooling, predictions, feature maps, Grad-CAM and
its sanity check). UI-free: the app and ``python -m explorer lesson`` call the same functions.
"""
