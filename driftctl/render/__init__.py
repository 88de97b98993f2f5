"""Renderers: plain data in, text or rich renderables out. No I/O against targets."""
