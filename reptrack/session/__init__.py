"""A session and the runs of several: the engine, its results and set program, what the person
asked for and where a session is assembled, the runs of a plan and of `auto`."""
