"""Network section: one forward pass capturing every layer (hook-free for the shared model after the
call), receptive fields measured on the graph, feature-map pictures, learned filters, the per-layer
architecture table and the stack calculator."""
