"""The token timeline: one row per quantizer layer, its marks, the error strip on its step axis, the transport bar."""
