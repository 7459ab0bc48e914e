"""laodong: the register of resident workers aged 15+."""
