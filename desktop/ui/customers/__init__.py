"""The Customers page: the customer list, one customer's details and job history,
and the form that creates or edits a customer."""
