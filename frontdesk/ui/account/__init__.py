"""Who is at the keyboard: signing in, and the lock that covers an unattended screen."""
