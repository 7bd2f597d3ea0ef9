import drgn as _d
