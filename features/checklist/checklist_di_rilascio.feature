# language: it
@checklist
Funzionalità: Checklist minima di qualità prima del rilascio
  La checklist OpenCity di ogni proxy di pagamento: configurazione di ente e servizio,
  un CREATION_PENDING sul topic payments crea il debito, /offline-payment scarica
  l'avviso, /online-payment porta al portale, "Torna alla Home" chiama /landing,
  /update verifica lo stato e produce un evento, /receipt scarica la ricevuta, un
  PAYMENT_PENDING già elaborato è ignorato, uno non elaborato ma configurato è gestito.

  Scenario: i link del pagamento rispondono come la checklist richiede
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    Allora il link offline-payment scarica l'avviso in PDF
    E il link online-payment porta al portale di pagamento
    E il link update risponde con il pagamento verificato presso l'intermediario

  Scenario: /update verifica lo stato e pubblica un evento quando cambia
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    E il cittadino ha pagato sul checkout senza tornare all'Area Personale
    Quando la piattaforma chiama il link di aggiornamento del pagamento
    Allora l'aggiornamento risponde con il pagamento in stato COMPLETE
    E il proxy pubblica sul topic payments un solo evento COMPLETE per quel pagamento

  Scenario: un PAYMENT_PENDING già elaborato dal proxy è ignorato
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    Quando la piattaforma ripubblica il pagamento in stato PAYMENT_PENDING
    Allora il proxy ignora l'evento ripubblicato
    E il pagamento resta in stato PAYMENT_PENDING con lo stesso IUV

  @manuale
  Scenario: un PAYMENT_PENDING estraneo, con configurazione, viene adottato
    Dato una posizione debitoria da 35,00 euro creata sull'intermediario da un gestionale esterno
    Quando il gestionale pubblica il pagamento in stato PAYMENT_PENDING sul topic payments
    Allora il proxy adotta il pagamento
    E il link update risponde con il pagamento verificato presso l'intermediario
    Quando il cittadino paga online con la carta "4242 4242 4242 4242"
    E il cittadino torna all'Area Personale
    Allora il pagamento passa in stato COMPLETE

  Scenario: un PAYMENT_PENDING estraneo senza configurazione è ignorato
    Quando un gestionale pubblica un pagamento PAYMENT_PENDING per un servizio che il proxy non conosce
    Allora il proxy ignora l'evento estraneo
