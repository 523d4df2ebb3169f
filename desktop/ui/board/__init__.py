"""The Board page: one column of cards per status; drag a card to move the job on."""
