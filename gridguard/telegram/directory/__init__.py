"""The directory: registering with an invite, /invite and /addgrid."""
