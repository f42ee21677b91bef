/** Names the generated tenant draws from (shared by its directory and its files). */
export const FIRST = ['Bob', 'Carol', 'David', 'Emma', 'Farid', 'Grace', 'Hiro', 'Isabel', 'Jamal', 'Karin', 'Liam', 'Maya', 'Noah', 'Olga', 'Pedro', 'Quinn', 'Rosa', 'Samir', 'Tara', 'Umar', 'Vera', 'Wei', 'Zoe'];

/** Domains of guests and outsiders: reserved `.example` names, never real. */
export const EXTERNAL_DOMAINS = ['partner.example', 'fabrikam.example', 'gmail.example'];
