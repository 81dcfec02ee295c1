"""Teaching reptrack an exercise: a demonstration's analysis (which angle carries the
repetition), the exercise learned or the shipped one calibrated, and the files written for
the user."""
