"""How many callers one machine carries: load the line under its production server and measure it."""
