"""Pose estimation: backend-neutral types (`types`) and the estimators that produce them.

Nothing is imported here: `reptrack --help` and the commands that need no model stay quick."""
