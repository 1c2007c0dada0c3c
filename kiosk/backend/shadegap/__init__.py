"""The shade-gap report: which skin depths and undertones a store's in-stock shades fail, and how
many opted-in shoppers that cost in a period."""
