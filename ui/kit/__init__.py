"""The kit every page shares: session, live controls and area, installs, sidebar, teacher mode, readout, downloads."""
