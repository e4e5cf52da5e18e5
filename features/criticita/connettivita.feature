# language: it
@criticita @simulatore
Funzionalità: Connettività verso l'intermediario (firewall, VPN, IP autorizzati)
  Le API degli intermediari sono spesso raggiungibili solo da indirizzi IP autorizzati.
  Quando l'indirizzo del proxy non è autorizzato, il proxy deve dire all'integratore
  quale host e porta ha chiamato e da quale indirizzo sorgente, cioè cosa chiedere al
  fornitore di sbloccare; e nessun pagamento deve andare perso.

  Scenario: l'intermediario chiude la connessione a un IP non autorizzato
    Dato il simulatore dell'intermediario accetta solo IP autorizzati e chiude la connessione agli altri
    Quando il cittadino presenta la domanda di occupazione suolo pubblico
    Allora il proxy registra il motivo "allow" e riproverà la creazione
    E la diagnosi indica host, porta e indirizzo sorgente da autorizzare
    Quando il fornitore autorizza l'indirizzo del proxy
    E arriva il momento del nuovo tentativo
    Allora il pagamento passa in stato PAYMENT_PENDING
    E l'intermediario ha una sola posizione debitoria per quel pagamento

  Scenario: l'intermediario risponde 403 a un IP non autorizzato
    Dato il simulatore dell'intermediario accetta solo IP autorizzati e risponde 403 agli altri
    Quando il cittadino presenta la domanda di occupazione suolo pubblico
    Allora il pagamento passa in stato CREATION_FAILED
    E la piattaforma vede il motivo "403"
    E la diagnosi indica host, porta e indirizzo sorgente da autorizzare

  Scenario: credenziali scadute
    Dato il simulatore dell'intermediario rifiuta le credenziali come scadute
    Quando il cittadino presenta la domanda di occupazione suolo pubblico
    Allora il pagamento passa in stato CREATION_FAILED
    E il motivo indica la variabile d'ambiente della credenziale da rinnovare
    E il proxy conserva gli scambi con l'intermediario, senza credenziali, per il fornitore
