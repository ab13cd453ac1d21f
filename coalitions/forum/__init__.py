"""The multi-stakeholder forum of the co-creation process: its members and rules of
participation, its meetings, and the public repository of the process's documents."""
